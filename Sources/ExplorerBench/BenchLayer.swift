import DuQuantCore
import ExplorerCLI
import Foundation
import SyntheticLayers

/// The per-layer part of `bench`: every stage of DuQuant on one realistic synthetic layer
/// (`RealisticLayer`: SwiGLU products with outlier channels and massive values), then the peer in the
/// official setting, whose comparison also goes to the headline table.
enum BenchLayer {
    /// The official run script's setting: smoothing α 0.6, lac 0.9, swc 0.8, block 128, 256 steps.
    static let officialSetting = "smooth α 0.6, lac 0.9, swc 0.8, block 128"

    static func synthetic(_ shape: SyntheticLayer.Shape, options o: BenchCommand.Options, peak: BenchPeak,
                          peer: BenchPeer?, peerWhy: String, headline: inout BenchTable) -> String {
        let steps = o.steps
        let (tokens, c, outF) = (Double(shape.tokens), Double(shape.inFeatures), Double(shape.outFeatures))
        BenchCommand.progress("generating \(shape.name) \(shape.tokens)×\(shape.inFeatures)")
        var layer: LayerData? = nil
        var layout: RealisticLayer.Layout? = nil
        let gen = BenchClock.time { (layer, layout) = RealisticLayer.generate(shape) }
        let x = layer!.input, w = layer!.weight!
        var t = BenchTable(title: "\(shape.name), realistic SwiGLU input: X \(shape.tokens)×\(shape.inFeatures), W \(shape.outFeatures)×\(shape.inFeatures)")
        t.add("generate realistic X and W (RealisticLayer, seed 0; not a target)", gen, bytes: Double(shape.elementCount) * 4)
        t.note("layer", "\(layout!.outlierChannels.count) outlier channels (×10–30), massive values on channels \(layout!.massiveChannels) of tokens \(layout!.massiveTokens), max |X| \(BenchTable.fixed(Double(x.storage.reduce(0) { max($0, abs($1)) }), 0)); W ~ N(0, 0.02²)")

        var p = QuantParams()
        p.steps = steps
        var pRef = p
        pRef.select = .reference
        pRef.layout = .shared  // smoothing stays on (α 0.6): the official setting
        let block = Double(p.block)
        // The official computation multiplies the whole reshaped X by a block×block matrix every step.
        let fullPassFlops = Double(p.permTimes + 1) * Double(steps) * 2 * tokens * c * block
        let bound = fullPassFlops / (peak.twoThreads * 1e9)

        BenchCommand.progress("\(shape.name): calibration, paper/perblock (\(o.runs) run(s))")
        var cal: DuQuantCalibration? = nil
        let calT = BenchClock.median(runs: o.runs) { cal = DuQuant.calibrate(layer!, p) }
        BenchCommand.progress("\(shape.name): calibration, reference/shared (\(o.runs) run(s))")
        var calRef: DuQuantCalibration? = nil
        let calRefT = BenchClock.median(runs: o.runs) { calRef = DuQuant.calibrate(layer!, pRef) }
        let fullNote = "full-pass equivalent \(BenchTable.fixed(fullPassFlops / 1e9, 0)) GFLOP → \(BenchTable.fixed(fullPassFlops / calT / 1e9, 0)) GFLOP/s effective"
        t.add("calibration, exact \(steps)-step greedy (paper, perblock, smoothing)", calT,
              note: "\(fullNote); kept \(cal!.keptSteps)")
        t.add("calibration, exact \(steps)-step greedy (reference, shared, smoothing: the official setting)", calRefT,
              note: "full-pass equivalent → \(BenchTable.fixed(fullPassFlops / calRefT / 1e9, 0)) GFLOP/s effective; kept \(calRef!.keptSteps)")
        t.add("full-pass bound at the 2-thread sgemm peak", bound, flops: fullPassFlops,
              note: "\(p.permTimes + 1) stages × \(steps) steps × 2·T·C·\(p.block); ours/bound = \(BenchTable.fixed(calT / bound, 3))×")

        BenchCommand.progress("\(shape.name): transforms, quantization, metrics")
        let transform = cal!.transform
        let stages = Double(transform.rotations.count)
        var xt = x, wt = w
        let tX = BenchClock.median(runs: o.runs) { xt = transform.apply(toInput: x) }
        let tW = BenchClock.median(runs: o.runs) { wt = transform.apply(toWeight: w) }
        t.add("transform X → X̃ (smooth, rotate, permute, rotate)", tX, flops: stages * 2 * tokens * c * block)
        t.add("transform W → W̃", tW, flops: stages * 2 * outF * c * block)
        // Where the weight transform's time goes, step by step.
        var piece = w
        if let s = transform.smoothScales {
            let ts = BenchClock.median(runs: o.runs) { piece = w.multiplyingColumns(by: s) }
            t.add("… W·s (smoothing scales)", ts, bytes: 8 * outF * c)
        }
        for (i, rotation) in transform.rotations.enumerated() {
            let input = piece
            let tr = BenchClock.median(runs: o.runs) { piece = rotation.apply(to: input) }
            t.add("… rotation \(i + 1) (BlockRotation.apply, \(rotation.blocks.count) block gemms)", tr,
                  flops: 2 * outF * c * block)
            if i < transform.permutations.count {
                let before = piece, perm = transform.permutations[i]
                let tp = BenchClock.median(runs: o.runs) { piece = before.gatheringColumns(perm) }
                t.add("… zigzag permutation (gatheringColumns)", tp, bytes: 8 * outF * c)
            }
        }

        let aq = p.activationQuantizer, wq = p.weightQuantizer
        var qx = xt, qw = wt
        let tQX = BenchClock.median(runs: o.runs) { qx = aq.quantizeRows(xt) }
        let tQW = BenchClock.median(runs: o.runs) { qw = wq.quantizeRows(wt) }
        t.add("fake quantization Q(X̃) (per token)", tQX, bytes: 8 * tokens * c)
        t.add("fake quantization Q(W̃) (per output channel)", tQW, bytes: 8 * outF * c)

        let tAct = BenchClock.median(runs: o.runs) { _ = Evaluator.measure(x: xt, w: nil, reference: nil, p: p) }
        t.add("activation metrics (Q(X̃), MSE, per-token error, max, kurtosis, block variance)", tAct, bytes: 8 * tokens * c)
        t.add("transforms (X and W) + activation metrics", tX + tW + tAct, note: "target ≤ 0.3 s")

        var reference = Matrix(rows: 0, cols: 0)
        let productFlops = 2 * tokens * outF * c
        let tRef = BenchClock.median(runs: o.runs) { reference = x.multipliedTransposed(by: w) }
        t.add("reference output X·Wᵀ (computed once per layer)", tRef, flops: productFlops,
              note: "\(BenchTable.fixed(productFlops / tRef / 1e7 / peak.twoThreads, 0))% of 2-thread peak")
        let tProd = BenchClock.median(runs: o.runs) { _ = qx.multipliedTransposed(by: qw) }
        t.add("output product Q(X̃)·Q(W̃)ᵀ", tProd, flops: productFlops,
              note: "\(BenchTable.fixed(productFlops / tProd / 1e7 / peak.twoThreads, 0))% of 2-thread peak (target ≥ 80%)")
        let tErr = BenchClock.median(runs: o.runs) { _ = Evaluator.measure(x: xt, w: wt, reference: reference, p: p) }
        t.add("exact output error (Evaluator.measure with W: Q(X̃), Q(W̃), product, errors, stats)", tErr,
              flops: productFlops, note: "target ≤ 1.5 s")
        BenchCommand.progress("\(shape.name): bits change through EvaluationWorkspace")
        let ws = EvaluationWorkspace(layer!)
        ws.adopt(cal!)
        _ = ws.evaluate(p)
        let tBits = BenchClock.bitsChange(ws, p, runs: o.runs)
        t.add("bits change, every method (EvaluationWorkspace, transforms and X·Wᵀ cached)", tBits,
              flops: 4 * productFlops, note: "not a target at this size (the 50 ms target is for SmolLM2 layers)")
        if shape.name == SyntheticLayer.Shape.llama2DownProj.name || shape.name == SyntheticLayer.Shape.llama2DownProj.quick.name {
            liveRows(layer!, p, bound: bound + productFlops / (peak.twoThreads * 1e9), into: &t)
        }
        var out = t.render()
        let peerRows = peerTable(shape, x: x, w: w, ours: calRefT, oursCal: calRef!, default: calT, options: o,
                                 peer: peer, why: peerWhy)
        out += peerRows.table.render()
        headline.add("\(shape.name) (realistic): ours, reference + shared, official setting", calRefT,
                     note: "full-pass bound \(BenchTable.duration(bound)) → ours/bound = \(BenchTable.fixed(calRefT / bound, 2))× (target ≤ 1.3×)")
        if let peerSeconds = peerRows.peerSeconds {
            headline.add("\(shape.name) (realistic): official algorithm, NumPy peer, same setting", peerSeconds,
                         note: "peer/ours = \(BenchTable.fixed(peerSeconds / calRefT, 1))× (target ≥ 8×)\(peerRows.extrapolated ? ", peer extrapolated" : "")")
        } else {
            headline.note("\(shape.name) (realistic): peer", "not run: \(peerRows.why)")
        }
        headline.add("\(shape.name) (realistic): ours, default (paper, per-block, smoothing)", calT,
                     note: "ours/bound = \(BenchTable.fixed(calT / bound, 2))× (target ≤ 1.3×)")
        return out
    }

    /// The comparison with the peer, and the peer's time (nil, with the reason, when it did not run).
    static func peerTable(_ shape: SyntheticLayer.Shape, x: Matrix, w: Matrix, ours: Double, oursCal: DuQuantCalibration,
                          default oursDefault: Double, options o: BenchCommand.Options, peer: BenchPeer?, why: String)
        -> (table: BenchTable, peerSeconds: Double?, extrapolated: Bool, why: String) {
        let steps = o.steps
        var t = BenchTable(title: "\(shape.name): against the official algorithm (NumPy peer, same X and W, official setting: \(officialSetting), \(steps) steps)")
        t.add("ours, reference selection + shared layout, smoothing α 0.6 (the official setting, as the peer)", ours,
              note: "stage peaks first → min (kept): " + oursCal.traces.map { tr in
                  tr.map { "\(BenchTable.fixed(Double($0.peaks[0]), 0)) → \(BenchTable.fixed(Double($0.peaks[$0.kept]), 0)) (\($0.kept))" }.joined(separator: ", ")
              }.joined(separator: "; "))
        t.add("ours, default (paper selection, per-block, smoothing)", oursDefault)
        guard let peer else { t.note("peer", "skipped: \(why)"); return (t, nil, false, why) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duquant-bench-peer-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let npy = dir.appendingPathComponent("x.npy").path, wNpy = dir.appendingPathComponent("w.npy").path
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try BenchPeer.writeNpy(x, to: npy)
            try BenchPeer.writeNpy(w, to: wNpy)
        } catch {
            t.note("peer", "skipped: cannot write the .npy: \(error)")
            return (t, nil, false, "cannot write the .npy")
        }
        BenchCommand.progress("\(shape.name): peer probe, \(o.peerSteps) steps per stage")
        let (probe, err) = peer.calibrate(input: npy, block: 128, steps: steps, maxSteps: min(o.peerSteps, steps), smoothWeight: wNpy)
        guard var report = probe else { t.note("peer", "failed: \(err)"); return (t, nil, false, "failed: \(err)") }
        if report.extrapolated && report.fullRunSeconds <= o.peerBudget {
            BenchCommand.progress("\(shape.name): peer full run (estimated \(BenchTable.duration(report.fullRunSeconds)))")
            let (full, err) = peer.calibrate(input: npy, block: 128, steps: steps, maxSteps: nil, smoothWeight: wNpy)
            guard let full else { t.note("peer", "failed: \(err)"); return (t, nil, false, "failed: \(err)") }
            report = full
        }
        let peerSeconds = report.extrapolated ? report.fullRunSeconds : report.calibrationSeconds
        let how = report.extrapolated
            ? "EXTRAPOLATED from \(report.stepsDone) steps (\(BenchTable.duration(report.perStepSeconds))/step; a full run would exceed the --peer-budget of \(Int(o.peerBudget)) s)"
            : "measured, full \(steps) steps per stage"
        t.add("peer: official algorithm in NumPy, \(report.smooth ? "smoothing α 0.6" : "NO smoothing") (\(report.blas), numpy \(report.numpy), 2 threads)", peerSeconds,
              note: how + (report.extrapolated ? "" : "; stage peaks first → min (kept): " + zip(zip(report.peakFirst, report.peakMin), report.kept)
                .map { "\(BenchTable.fixed($0.0, 0)) → \(BenchTable.fixed($0.1, 0)) (\($1))" }.joined(separator: "; ")))
        t.note("peer time / ours (same setting)", BenchTable.fixed(peerSeconds / ours, 1) + "×" + (report.extrapolated ? " (extrapolated)" : ""))
        t.note("peer time / ours (default)", BenchTable.fixed(peerSeconds / oursDefault, 1) + "×" + (report.extrapolated ? " (extrapolated)" : ""))
        return (t, peerSeconds, report.extrapolated, "")
    }

    /// What a user who opens `layer` sees in the explorer, and when (`exactBound`: the calibration bound plus
    /// one output product at peak).
    static func liveRows(_ layer: LayerData, _ p: QuantParams, bound exactBound: Double, into t: inout BenchTable) {
        // What a user who opens this layer sees, and when: the explorer's executor on its default setting.
        BenchCommand.progress("\(layer.name): the explorer's first and exact figures (default setting)")
        let live = BenchLive.measure(layer, p)
        t.add("explorer: first figures (RTN, SmoothQuant, Hadamard) after opening the layer", live.firstAny)
        t.add("explorer: first DuQuant figure\(live.firstDuQuantWasEstimate ? " (≈ estimate on sampled tokens)" : "")",
              live.firstDuQuant, note: "target ≤ 2 s" + (live.firstDuQuant.map { $0 > 2 ? " — NOT met" : " — met" } ?? "")
                  + (live.firstDuQuantNote.map { " (\($0))" } ?? ""))
        t.add("explorer: exact DuQuant figure", live.exactDuQuant,
              note: "target ≤ calibration bound + output product at peak = \(BenchTable.duration(exactBound))"
                  + (live.exactDuQuant.map { " → \(BenchTable.fixed($0 / exactBound, 2))× of it" } ?? ""))
        t.add("explorer: exact figures, every method", live.exact,
              note: "target ≤ calibration bound + output product at peak = \(BenchTable.duration(exactBound))"
                  + (live.exact.map { " → \(BenchTable.fixed($0 / exactBound, 2))× of it" } ?? ""))
        t.note("explorer: each method's time in the first pass", live.firstBreakdown)
        t.note("explorer: first figures against the exact ones (output rel err)", live.estimateOffsets + " (target within 15%)")
    }

    /// `bench --live`: only the explorer's timings on the realistic 7B down_proj, with the peak they need.
    static func live(_ o: BenchCommand.Options) -> String {
        BenchCommand.progress("measuring the sgemm peak")
        let peak = BenchPeak.measure(runs: 3)
        let shape = o.quick ? SyntheticLayer.Shape.llama2DownProj.quick : .llama2DownProj
        BenchCommand.progress("generating \(shape.name) \(shape.tokens)×\(shape.inFeatures)")
        let layer = RealisticLayer.generate(shape).layer
        var p = QuantParams()
        p.steps = o.steps
        let flops = Double(p.permTimes + 1) * Double(p.steps) * 2 * Double(shape.tokens * shape.inFeatures * p.block)
            + 2 * Double(shape.tokens * shape.outFeatures * shape.inFeatures)
        var t = BenchTable(title: "\(shape.name), realistic SwiGLU input: the explorer's figures and when they show")
        t.note("load average at start", BenchCommand.loadAverage())
        liveRows(layer, p, bound: flops / (peak.twoThreads * 1e9), into: &t)
        return peak.table.render() + t.render()
    }

}
