import DuQuantCore
import Foundation
import SyntheticLayers

/// `bench --evaluation`: where the time of an evaluation goes after the DuQuant search, piece by piece
/// and method by method, on one realistic layer (the 7B down_proj; 512 tokens with `--quick`).
///
/// DuQuant is calibrated once (with `--steps`, default 256; the search is not what this measures), then
/// every method's pieces are timed on the cached transforms: quantizations, MSEs, the product, the
/// per-token error pass, the activation statistics, the anatomy; then the workspace as the explorer
/// drives it (a first evaluation with the calibration adopted, a bits change, the estimate and exact
/// passes, the anatomy pass).
enum BenchEvaluation {
    static func run(_ o: BenchCommand.Options) -> String {
        let shape = o.quick ? SyntheticLayer.Shape.llama2DownProj.quick : .llama2DownProj
        BenchCommand.progress("generating \(shape.name) \(shape.tokens)×\(shape.inFeatures)")
        let layer = RealisticLayer.generate(shape).layer
        var p = QuantParams()
        p.steps = o.steps
        BenchCommand.progress("calibrating DuQuant (\(o.steps) steps; not timed)")
        let cal = DuQuant.calibrate(layer, p)!
        let flops = 2 * Double(shape.tokens) * Double(shape.outFeatures) * Double(shape.inFeatures)
        var out = ""
        let runs = o.runs

        // The workspace's own figures first: its caches are then what the pieces below read.
        var whole = BenchTable(title: "\(shape.name): the workspace after the search (calibration adopted, \(runs) run(s), median)")
        // What the explorer does once DuQuant's search is over: an estimate on 256 tokens (the transforms,
        // Q(W̃) and the sampled X·Wᵀ computed on the way), then the exact figures (X·Wᵀ, every product).
        var passes: [(estimate: Double, exact: Double)] = []
        let afterSearch = BenchClock.median(runs: runs) {
            let fresh = EvaluationWorkspace(layer)
            fresh.adopt(cal)
            let estimate = BenchClock.time { _ = fresh.evaluate(p, sampleTokens: 256) }
            let exact = BenchClock.time { _ = fresh.evaluate(p) }
            passes.append((estimate, exact))
        }
        whole.add("explorer after the search: estimate (256 tokens) then exact figures, every method", afterSearch, flops: 6 * flops,
                  note: "6 output products (X·Wᵀ and one per method) at peak ≈ \(BenchTable.duration(6 * flops / 152e9))")
        let middle = passes.sorted { $0.estimate + $0.exact < $1.estimate + $1.exact }[passes.count / 2]
        whole.add("… estimate pass (transforms, Q(W̃) with QuaRot-style's clip search, sampled X·Wᵀ and products)", middle.estimate)
        whole.add("… exact pass (X·Wᵀ, then every method's product and figures)", middle.exact, flops: 6 * flops)
        let ws = EvaluationWorkspace(layer)
        ws.adopt(cal)
        _ = ws.evaluate(p)
        let tBits = BenchClock.bitsChange(ws, p, runs: runs)
        whole.add("bits change, every method (transforms, Q(W̃), X·Wᵀ cached)", tBits, flops: 5 * flops,
                  note: "5 output products at peak ≈ \(BenchTable.duration(5 * flops / 152e9))")
        let tEstimate = BenchClock.median(runs: runs) { _ = ws.evaluate(p, sampleTokens: 256) }
        whole.add("estimate pass (256 sampled tokens), every method, cached transforms", tEstimate)
        var withAnatomy: LayerEvaluation? = nil
        let tAnatomy = BenchClock.median(runs: runs) { withAnatomy = ws.evaluate(p, anatomy: true) }
        whole.add("exact pass with anatomy, every method", tAnatomy, flops: 15 * flops)
        out += whole.render()
        // The figures themselves, to compare builds: they should not move (beyond float rounding).
        out += "figures (output error, act/weight MSE, anatomy, per-token errors: Σ and max):\n\n"
        for method in Method.allCases {
            guard let m = withAnatomy?.methods[method] else { continue }
            let a = m.anatomy
            out += "- \(method.rawValue): \(m.outputRelError ?? .nan) act \(m.actMSE) w \(m.weightMSE ?? .nan) "
                + "anatomy \(a?.activationsOnly ?? .nan)/\(a?.weightsOnly ?? .nan)/\(a?.activationClipShare ?? .nan)/\(a?.weightClipShare ?? .nan) "
                + "tokens Σ \(m.perTokenError.reduce(0.0) { $0 + Double($1) }) max \(m.perTokenError.max() ?? .nan)\n"
        }
        out += "\n"

        // The whole of what a user waits for, through the explorer's own executor (the search included,
        // with --steps): once per run, it is long.
        BenchCommand.progress("the explorer's exact figures from opening the layer (search included)")
        let live = BenchLive.measure(layer, p)
        var opening = BenchTable(title: "\(shape.name): the explorer from opening the layer (its executor, one run)")
        opening.add("exact figures, every method (\(o.steps)-step search included)", live.exact,
                    note: "first DuQuant figure after \(live.firstDuQuant.map(BenchTable.duration) ?? "—")")
        out += opening.render()
        let reference = ws.reference()!
        for method in Method.allCases {
            let pm = p.resolved(for: method)
            BenchCommand.progress("\(method.title): pieces")
            var t = BenchTable(title: "\(shape.name): \(method.title) (\(pm.settings(for: method).summary)), pieces")
            let fresh = EvaluationWorkspace(layer)
            if method == .duquant { fresh.adopt(cal) }
            let tTransform = BenchClock.time { _ = fresh.transformedPair(method, p) }
            let (x, w) = ws.transformedPair(method, p)!
            let wt = w!
            t.add("transform (X̃, W̃), computed once and cached", tTransform)
            let aq = pm.activationQuantizer, wq = pm.weightQuantizer
            var qx = x, qw = wt
            t.add("Q(X̃)", BenchClock.median(runs: runs) { qx = aq.quantizeRows(x) }, bytes: 8 * Double(x.count))
            t.add("mean((X̃ − Q(X̃))²)", BenchClock.median(runs: runs) { _ = Evaluator.meanSquaredDifference(x, qx) },
                  bytes: 8 * Double(x.count))
            var shrinks: [Float]? = nil
            t.add("Q(W̃)\(wq.searchClip ? " with the clip search" : "") (cached per transform + quantizer)",
                  BenchClock.median(runs: runs) { (qw, shrinks) = wq.quantizeRowsAndShrinks(wt) }, bytes: 8 * Double(wt.count))
            t.add("mean((W̃ − Q(W̃))²) (cached with it)", BenchClock.median(runs: runs) { _ = Evaluator.meanSquaredDifference(wt, qw) },
                  bytes: 8 * Double(wt.count))
            t.add("output product Q(X̃)·Q(W̃)ᵀ alone", BenchClock.median(runs: runs) { _ = qx.multipliedTransposed(by: qw) }, flops: flops)
            var perToken = [Float](repeating: 0, count: x.rows)
            t.add("product + per-token error against X·Wᵀ (row tiles)", BenchClock.median(runs: runs) {
                _ = Evaluator.rowTiledRelativeError(qx, qw, reference: reference, into: &perToken, cancel: nil)
            }, flops: flops)
            var channelMax: [Float] = []
            t.add("per-channel max |X̃|", BenchClock.median(runs: runs) { channelMax = ChannelStats.maxAbs(x) }, bytes: 4 * Double(x.count))
            t.add("kurtosis of X̃", BenchClock.median(runs: runs) { _ = ChannelStats.kurtosis(x) }, bytes: 4 * Double(x.count))
            t.add("block mean variance", BenchClock.median(runs: runs) { _ = ChannelStats.blockMeanVariance(channelMax, block: p.block) })
            let cached = (q: qw, mse: Evaluator.meanSquaredDifference(wt, qw))
            t.add("Evaluator.measure (Q(W̃) given, as the workspace calls it)", BenchClock.median(runs: runs) {
                _ = Evaluator.measure(x: x, w: wt, reference: reference, p: pm, quantizedWeight: cached)
            }, flops: flops)
            t.add("anatomy: Q(X̃)·W̃ᵀ + per-token error", BenchClock.median(runs: runs) {
                _ = Evaluator.rowTiledRelativeError(qx, wt, reference: reference, into: &perToken, cancel: nil)
            }, flops: flops)
            t.add("anatomy: X̃·Q(W̃)ᵀ + per-token error", BenchClock.median(runs: runs) {
                _ = Evaluator.rowTiledRelativeError(x, qw, reference: reference, into: &perToken, cancel: nil)
            }, flops: flops)
            t.add("anatomy: activation clip share", BenchClock.median(runs: runs) { _ = aq.clipShare(of: x, quantized: qx) })
            t.add("anatomy: weight clip share (the rows' clip ratios kept from Q(W̃))",
                  BenchClock.median(runs: runs) { _ = wq.clipShare(of: wt, quantized: qw, shrinks: shrinks) })
            out += t.render()
        }
        return out
    }
}
