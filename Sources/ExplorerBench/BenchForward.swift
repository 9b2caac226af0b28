import DuQuantCompute
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
            let live = try LiveModel(model: model, tokens: ids, dump: dump, budgetBytes: MemoryBudget.bytes / 2)
            BenchCommand.progress("forward: full-precision pass on \(ids.count) tokens")
            let profile = ForwardProfile()
            t = clock.now
            let fp = live.session.fullPrecision(profile: profile)!
            let fpSeconds = seconds(t)
            var p = QuantParams()
            p.sameSettings = true
            let setting = QuantSetting(weightBits: 4, activationBits: 4)
            BenchCommand.progress("forward: \(method.title) W4A4 on every layer (scope a)")
            let fpProfile = profile.parts
            profile.reset()
            t = clock.now
            let whole = try live.perplexity(.all, method: method, params: p, setting: setting, profile: profile)!
            let scopeA = seconds(t)
            out += "model \(dir): \(model.config.layers) blocks, \(ids.count) tokens; method \(method.title) W4A4 (lac \(p.lac), swc \(p.swc)); "
            out += "BLAS \(BLASLibrary.coreName), \(BLAS.threads) threads\n\n"
            out += "| step | seconds | target | figure |\n| --- | ---: | --- | --- |\n"
            out += "| load the checkpoint (\(model.byteCount / 1_000_000) MB f32) | \(f(load)) | | |\n"
            out += "| full-precision pass | \(f(fpSeconds)) | | ppl \(String(format: "%.4f", fp.perplexity)) |\n"
            out += "| scope (a): calibrate, prepare and run all \(model.linearIDs.count) layers | \(f(scopeA)) | | ppl \(String(format: "%.4f", whole)) |\n"
            let first = load + fpSeconds + scopeA
            out += "| **first figure** (load + FP + scope a) | **\(f(first))** | ≤ 60 s: \(first <= 60 ? "met" : "NOT met") | |\n"
            var breakdown = "Where the time went (wall seconds of this process):\n\n| part | FP pass | scope (a) |"
            var updates: [(String, ForwardProfile)] = []
            // Scope (b): one layer quantized, the others FP. A parameter change that recalibrates the layer
            // (α 0.6 → 0.55) and one that only re-quantizes it (lac 0.9 → 0.85).
            var alpha = p
            alpha.alpha = 0.55
            var lac = p
            lac.lac = 0.85
            for block in [0, model.config.layers / 2, model.config.layers - 1] {
                let id = LinearID(block: block, module: .down)
                BenchCommand.progress("forward: scope (b) on \(id.name)")
                _ = try live.perplexity(.layer(id), method: method, params: p, setting: setting)
                for (name, q) in [("α 0.6 → 0.55, recalibrates", alpha), ("lac 0.9 → 0.85, re-quantizes", lac)] {
                    if live.kept(.layer(id), method: method, params: q, setting: setting) != nil {
                        out += "| scope (b) update, \(id.name) (\(name.prefix(13))) | — | answered from the figure cache: it does not change \(method.title)'s transform | |\n"
                        continue
                    }
                    let prof = ForwardProfile()
                    t = clock.now
                    let ppl = try live.perplexity(.layer(id), method: method, params: q, setting: setting, profile: prof)!
                    let sec = seconds(t)
                    let target = block == 0 ? 5.0 : (block >= 15 ? 2.0 : .infinity)
                    let verdict = target.isFinite ? "≤ \(Int(target)) s: \(sec <= target ? "met" : "NOT met")" : ""
                    out += "| scope (b) update, \(id.name) (\(name)), \(model.config.layers - block) blocks + head | \(f(sec)) | \(verdict) | ppl \(String(format: "%.4f", ppl)) |\n"
                    updates.append(("b\(block) \(name.prefix(3))", prof))
                }
            }
            for (label, _) in updates { breakdown += " \(label) |" }
            breakdown += "\n|---|---:|---:|" + String(repeating: "---:|", count: updates.count) + "\n"
            for part in ForwardProfile.Part.allCases {
                let a = fpProfile.first { $0.0 == part }?.1 ?? 0
                breakdown += "| \(part.rawValue) | \(f(a)) | \(f(profile.total(part))) |"
                for (_, prof) in updates { breakdown += " \(f(prof.total(part))) |" }
                breakdown += "\n"
            }
            let usage = live.cacheUsage
            out += "\n" + breakdown + "\ncaches: \(usage.transforms) transforms (\(usage.transformBytes / 1_000_000) MB), "
            out += "\(usage.prepared) quantized layers (\(usage.preparedBytes / 1_000_000) MB); load average at the end: \(BenchCommand.loadAverage())\n"
            return out + "\n"
        } catch {
            return out + "failed: \(error)\n\n"
        }
    }
}
