import DuQuantCore
import DuQuantIO
import Foundation

/// The real-layer part of `bench`: interactive costs on the SmolLM2 sample dump, if present.
enum BenchSamples {
    /// Layers measured at most (the first ones in natural order).
    static let maxLayers = 6

    /// The dump inside `dir`, if any.
    static func find(_ dir: String) -> String? {
        let candidates = [dir + "/smollm2-135m/activations.safetensors", dir + "/activations.safetensors", dir]
        return candidates.first { path in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
        }
    }

    static func section(dir: String, runs: Int) -> String {
        var t = BenchTable(title: "Real sample layers (\(dir))")
        guard let path = find(dir) else {
            t.note("sample layers", "skipped: no \(dir)/smollm2-135m/activations.safetensors yet")
            return t.render()
        }
        BenchCommand.progress("sample layers from \(path)")
        let dump: DumpFile
        do { dump = try DumpFile.open(path) } catch {
            t.note("sample layers", "skipped: \(error.description)")
            return t.render()
        }
        let p = QuantParams()
        for info in dump.layers.filter(\.isLoadable).prefix(maxLayers) {
            var layer: LayerData? = nil
            let load = BenchClock.time { layer = try? dump.loadLayer(info.name) }
            guard let layer else { t.note(info.name, "cannot load"); continue }
            let shape = "\(layer.tokens)×\(layer.inFeatures)" + (layer.outFeatures.map { ", W \($0)×\(layer.inFeatures)" } ?? "")
            t.add("\(info.name) (\(shape)): load", load)
            var cal: DuQuantCalibration? = nil
            let recal = BenchClock.median(runs: runs) { cal = DuQuant.calibrate(layer, p) }
            t.add("… recalibration (DuQuant.calibrate)", recal, note: "target ≤ 300 ms")
            var bits = p
            bits.abits = 3
            let tBits = BenchClock.median(runs: runs) { _ = Evaluator.evaluate(layer, bits, calibration: cal) }
            t.add("… bits change, all four methods (Evaluator.evaluate, calibration reused)", tBits, note: "target ≤ 50 ms")
            var clip = p
            clip.lac = 0.8
            let tClip = BenchClock.median(runs: runs) { _ = Evaluator.evaluate(layer, clip, calibration: cal) }
            t.add("… clip change, all four methods", tClip, note: "target ≤ 50 ms")
        }
        return t.render()
    }
}
