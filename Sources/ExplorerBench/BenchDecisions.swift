import DuQuantCore
import DuQuantIO
import Foundation
import SyntheticLayers

/// `bench --decisions`: what deciding exactly costs (docs/DECISIONS.md, "Screen fast, decide exactly").
///
/// For each down_proj of the sample dump and the realistic LLaMA-2-7B down_proj, DuQuant's calibration is
/// timed twice in the same run: with the product's rule (screen in double through BLAS, near-ties
/// recomputed in fixed order) and with the screen alone deciding (what the choices would be on this
/// machine's kernels, no recomputation). The ratio is the rule's cost over its own screen; the counts say
/// how often the screen could not tell (entries recomputed per greedy step, channel maxima recomputed for
/// the zigzag ranking), and whether the screen alone happened to choose the same on this machine.
enum BenchDecisions {
    static func run(_ o: BenchCommand.Options) -> String {
        var t = BenchTable(title: "Screen fast, decide exactly: DuQuant's calibration with the rule and with the screen alone")
        var layers: [(String, LayerData)] = []
        if let path = BenchSamples.find(o.samples), let dump = try? DumpFile.open(path) {
            for info in dump.layers where info.isLoadable && info.name.hasSuffix("down_proj") {
                if let layer = try? dump.loadLayer(info.name) { layers.append((info.name, layer)) }
            }
        } else {
            t.note("sample layers", "skipped: no sample dump in \(o.samples)")
        }
        let shape = o.quick ? SyntheticLayer.Shape.llama2DownProj.quick : .llama2DownProj
        BenchCommand.progress("generating the realistic \(shape.name) (\(shape.tokens) tokens)")
        layers.append(("realistic \(shape.name), \(shape.tokens) tokens", RealisticLayer.make(shape)))
        var p = QuantParams()
        p.steps = o.steps
        for (name, layer) in layers {
            BenchCommand.progress("decisions on \(name)")
            var exact: DuQuantCalibration? = nil, screen: DuQuantCalibration? = nil
            let te = BenchClock.median(runs: o.runs) { exact = DuQuant.calibrate(layer, p, rule: .exact) }
            let ts = BenchClock.median(runs: o.runs) { screen = DuQuant.calibrate(layer, p, rule: .screenOnly) }
            guard let exact, let screen else { t.note(name, "calibration failed"); continue }
            let s = exact.screenStats
            t.add("\(name): exact decisions", te, note: String(format: "%.2f× the screen alone", te / ts))
            t.add("\(name): screen alone", ts)
            t.note("\(name): recomputed",
                   "\(s.recomputed) entries over \(s.steps) greedy steps (\(String(format: "%.4f", Double(s.recomputed) / Double(max(1, s.steps)))) per step), \(s.rankingRecomputed) channel maxima for the zigzag; screen alone chose \(exact.traces == screen.traces ? "the same" : "differently") here")
        }
        return t.render()
    }
}
