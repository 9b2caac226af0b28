import DuQuantCore
import DuQuantIO
import ExplorerCLI
import Foundation

/// The real-layer part of `bench`: interactive costs on the SmolLM2 sample dump, if present.
enum BenchSamples {
    /// Layers measured at most (the first ones in natural order).
    static let maxLayers = 12

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
        var worst: [String: Double] = [:]
        for info in dump.layers.filter(\.isLoadable).prefix(maxLayers) {
            var layer: LayerData? = nil
            let load = BenchClock.time { layer = try? dump.loadLayer(info.name) }
            guard let layer else { t.note(info.name, "cannot load"); continue }
            let shape = "\(layer.tokens)×\(layer.inFeatures)" + (layer.outFeatures.map { ", W \($0)×\(layer.inFeatures)" } ?? "")
            t.add("\(info.name) (\(shape)): load", load)
            let ws = EvaluationWorkspace(layer)
            let first = BenchClock.time { _ = ws.evaluate(p) }
            t.add("… first evaluation, every method (calibrates, X·Wᵀ)", first)
            var seed: UInt64 = 100
            let recal = BenchClock.median(runs: runs) {
                var q = p
                q.seed = seed
                seed += 1
                _ = DuQuant.calibrate(layer, q)
            }
            t.add("… recalibration (DuQuant.calibrate, new seed)", recal, note: "target ≤ 300 ms")
            worst["recalibration (target ≤ 300 ms)", default: 0] = max(worst["recalibration (target ≤ 300 ms)", default: 0], recal)
            let tBits = BenchClock.bitsChange(ws, p, runs: runs)
            t.add("… bits change, every method (EvaluationWorkspace, transforms cached)", tBits, note: "target ≤ 50 ms")
            var lac: Float = 0.8
            let tClip = BenchClock.median(runs: runs) {
                var q = p
                q.lac = lac
                lac = lac == 0.8 ? 0.85 : 0.8
                _ = ws.evaluate(q)
            }
            t.add("… clip change, every method", tClip, note: "target ≤ 50 ms")
            worst["bits or clip change, every method (target ≤ 50 ms)", default: 0] =
                max(worst["bits or clip change, every method (target ≤ 50 ms)", default: 0], tBits, tClip)
        }
        for (what, seconds) in worst.sorted(by: { $0.key < $1.key }) { t.add("worst layer: \(what)", seconds) }
        return t.render()
    }
}
