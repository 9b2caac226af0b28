import DuQuantCore
import DuQuantForward
import DuQuantIO
import ExplorerCLI
import Foundation

/// `bench --forward`: the model-level loop's times on SmolLM2 (the files `make eval` writes): the first
/// figure (model load, the full-precision pass, then a method calibrated, prepared and evaluated on the
/// whole model) and a one-layer update (one layer recalibrated under a changed parameter, the pass
/// recomputed from its block on the previous pass's hidden states), in the first, middle and last block.
enum BenchForward {
    static func run(model dir: String, dump path: String, tokens file: String, method: DuQuantCore.Method) -> String {
        var out = "## Model-level perplexity (DuQuantForward, the `perplexity` command's path)\n\n"
        guard FileManager.default.fileExists(atPath: dir + "/config.json"), FileManager.default.fileExists(atPath: path) else {
            return out + "skipped: \(dir) or \(path) is missing (run `make eval` once, or give --model DIR --dump FILE)\n\n"
        }
        let clock = ContinuousClock()
        func seconds(_ t: ContinuousClock.Instant) -> Double {
            let d = clock.now - t
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        func f(_ x: Double) -> String { String(format: "%.2f", x) }
        do {
            var t = clock.now
            let model = try LlamaModel.load(directory: dir)
            let load = seconds(t)
            let dump = try DumpFile.open(path)
            let ids: [Int]
            if let data = FileManager.default.contents(atPath: file), let o = try? JSONSerialization.jsonObject(with: data),
               let list = ((o as? [String: Any])?["token_ids"] as? [Int]) ?? (o as? [Int]) {
                ids = list
            } else {
                ids = (dump.sidecar?.tokenIds ?? []).map(Int.init)
            }
            let session = try ModelSession(model: model, tokens: ids)
            BenchCommand.progress("forward: full-precision pass on \(ids.count) tokens")
            t = clock.now
            let fp = session.fullPrecision()!
            let fpSeconds = seconds(t)
            var p = QuantParams()
            p.sameSettings = true
            let setting = QuantSetting(weightBits: 4, activationBits: 4)
            func prepare(_ id: LinearID, _ p: QuantParams) throws -> PreparedLinear {
                let e = try DumpCalibration.calibrate(id.name, of: dump, method: method, p).transform!
                let (w, a) = setting.quantizers(p, method)
                return PreparedLinear(weight: model.weight(id), transform: e.transform, weightQuantizer: w, activationQuantizer: a)
            }
            BenchCommand.progress("forward: \(method.title) W4A4 on every layer")
            t = clock.now
            var layers: [LinearID: PreparedLinear] = [:]
            for id in model.linearIDs { layers[id] = try prepare(id, p) }
            let calibrate = seconds(t)
            t = clock.now
            let whole = session.run(ModelLinears(layers: layers))!
            let forward = seconds(t)
            out += "model \(dir): \(model.config.layers) blocks, \(ids.count) tokens; method \(method.title) W4A4 (lac \(p.lac), swc \(p.swc))\n\n"
            out += "| step | seconds | figure |\n| --- | ---: | --- |\n"
            out += "| load the checkpoint (\(model.byteCount / 1_000_000) MB f32) | \(f(load)) | |\n"
            out += "| full-precision pass | \(f(fpSeconds)) | ppl \(String(format: "%.4f", fp.perplexity)) |\n"
            out += "| calibrate + prepare all \(layers.count) layers | \(f(calibrate)) | |\n"
            out += "| whole-model W4A4 pass | \(f(forward)) | ppl \(String(format: "%.4f", whole.perplexity)) |\n"
            out += "| **first figure** (load + FP + calibrate + pass) | **\(f(load + fpSeconds + calibrate + forward))** | |\n"
            // One layer's parameter changes (act clip 0.9 → 0.85 on that layer): recalibrate it, recompute from its block.
            var changed = p
            changed.lac = 0.85
            for block in [0, model.config.layers / 2, model.config.layers - 1] {
                let id = LinearID(block: block, module: .down)
                BenchCommand.progress("forward: one-layer update of \(id.name)")
                t = clock.now
                var next = layers
                next[id] = try prepare(id, changed)
                let trace = session.run(ModelLinears(layers: next), from: block, base: whole)!
                out += "| one-layer update: \(id.name) (lac 0.85), \(trace.blocksComputed) blocks | \(f(seconds(t))) | ppl \(String(format: "%.4f", trace.perplexity)) |\n"
            }
            return out + "\n"
        } catch {
            return out + "failed: \(error)\n\n"
        }
    }
}
