import DuQuantCore
import ExplorerModel

/// What each stage did, in numbers: the two caption lines of the teaching view. Display text, so it lives
/// with the view; the figures come from the state's stage statistics and calibration.
///
/// Every channel is named by its global number (its column in the shown matrix), with its block and its
/// index inside the block in brackets where that helps (`ch 1229 [blk 9 #77]`).
package enum Caption {
    /// Two lines saying what the shown stage (or greedy step) did to the values, or nothing before the
    /// figures arrive.
    package static func lines(_ state: AppState) -> [String] {
        Hop.here()
        if let step = state.heatmap.step { return stepCaption(state, step) }
        let stage = state.heatmap.stage
        guard let now = state.shared.stageStats[stage] else { return [] }
        let block = state.shared.params.block
        let n = App.compact
        switch stage {
        case .original:
            return [largest(state, stage) ?? "largest |x| \(n(now.maxAbs))",
                    "blocks of \(block): peak max|x| " + blockList(blockPeaks(now.channelMax, block))]
        case .smoothed:
            guard let cal = state.calibration, cal.smoothed, let scales = cal.transform.smoothScales,
                  let before = state.shared.stageStats[.original] else {
                return ["smoothing is off (or the layer has no weight): the values are unchanged",
                        "turn it on in the parameters (smoothing) to see SmoothQuant's division by s"]
            }
            let c = argmax(before.channelMax)
            let s = scales.indices.contains(c) ? scales[c] : 1
            return ["each channel ÷ s = max|x|^α / max|w|^(1−α), α \(App.fixed(Double(state.shared.params.alpha), decimals: 2)): "
                        + "ch \(c)'s max \(n(before.channelMax[c])) ÷ \(n(s)) = \(n(now.channelMax[c]))",
                    "largest |x| \(n(before.maxAbs)) → \(n(now.maxAbs)); the weight's column \(c) × \(n(s)), so X·Wᵀ is unchanged"]
        case .rotation1:
            return rotationCaption(state, rotation: 0, before: .smoothed, after: .rotation1)
        case .permutation:
            return permutationCaption(state)
        case .rotation2:
            let last = (state.calibration?.traces.count ?? 1) - 1
            return rotationCaption(state, rotation: last, before: .permutation, after: .rotation2)
        case .quantError:
            let levels = 1 << state.shared.params.abits
            let first = (largest(state, stage, what: "largest error") ?? "largest error \(n(now.maxAbs))") + errorCause(state)
            return [first, "\(levels) levels per token over [min, max] × clip \(App.fixed(Double(state.shared.params.lac), decimals: 2)): "
                + "rounding ≤ ½ level; beyond the ends, clipping"]
        }
    }

    /// Why the largest error of the Quantized error stage is what it is: `: clipped, 50.0 → 45.0 (½
    /// level 1.50)` when the value lay beyond its token's clipped range, else `: rounding, ≤ ½ level 0.18`.
    static func errorCause(_ state: AppState) -> String {
        guard let e = state.matrix(for: .quantError), let x = state.matrix(for: .rotation2),
              let at = state.shared.stageStats[.quantError]?.largest, e.rows == x.rows, e.cols == x.cols, x.cols > 0 else { return "" }
        let t = at.index / x.cols, c = at.index % x.cols
        var lo = Float.infinity, hi = -Float.infinity
        for j in 0..<x.cols { lo = min(lo, x[t, j]); hi = max(hi, x[t, j]) }
        let (scale, _) = state.shared.params.activationQuantizer.parameters(min: lo, max: hi)
        let half = scale / 2, v = x[t, c], err = at.magnitude
        guard err > half * 1.0001 else { return ": rounding, ≤ ½ level \(App.compact(half))" }
        let quantized = v > 0 ? v - err : v + err
        return ": clipped, \(App.compact(v)) → \(App.compact(quantized)) (½ level \(App.compact(half)))"
    }

    /// `largest |x| 16.6 at tok 3, ch 1 [blk 0·1]` for `stage`, when its matrix is there.
    ///
    /// Where the value sits comes with the stage's statistics: the caption is drawn on every frame, and a
    /// search of the whole matrix there cost a pass over a large layer per keypress.
    static func largest(_ state: AppState, _ stage: Stage, what: String = "largest |x|") -> String? {
        guard let m = state.matrix(for: stage) else { return nil }
        let found = state.shared.stageStats[stage]?.largest.map { ($0.magnitude, $0.index) } ?? OutlierHunt.next(in: m, after: nil)
        guard let (a, i) = found else { return nil }
        return "\(what) \(App.compact(a)) at tok \(i / m.cols), \(App.channelName(state, i % m.cols))"
    }

    static func rotationCaption(_ state: AppState, rotation: Int, before: Stage, after: Stage) -> [String] {
        guard let cal = state.calibration, cal.traces.indices.contains(rotation),
              let b = state.shared.stageStats[before], let a = state.shared.stageStats[after] else { return [] }
        let block = state.shared.params.block
        let peaksBefore = blockPeaks(b.channelMax, block), peaksAfter = blockPeaks(a.channelMax, block)
        let traces = cal.traces[rotation]
        let kept = traces.reduce(0) { $0 + $1.kept }
        guard kept > 0 else {
            let why = state.shared.params.steps == 0 ? "greedy steps is 0" : "no greedy step lowered a block's peak"
            return ["no rotation here: \(why), so the values are unchanged",
                    "blocks of \(block): peak max|x| " + blockList(peaksAfter)]
        }
        // The block whose peak fell most, then the others.
        let order = peaksBefore.indices.sorted { (peaksBefore[$0] - peaksAfter[$0]) > (peaksBefore[$1] - peaksAfter[$1]) }
        let k = order[0]
        var first = "block \(k)'s peak \(App.compact(peaksBefore[k])) → \(App.compact(peaksAfter[k]))"
        if let trace = traces.first(where: { $0.block == k }) ?? traces.first(where: { $0.block == -1 }), trace.kept > 0,
           let d = trace.chosen.first {
            let global = trace.block >= 0 ? "ch \(trace.block * block + d)" : "ch #\(d) of each block"
            // The drop of the shown peaks (an even spread of one value over the block would be ÷√block).
            let drop = peaksAfter[k] > 0 ? " (÷\(App.compact(peaksBefore[k] / peaksAfter[k])))" : ""
            first += " in \(trace.kept) step\(trace.kept == 1 ? "" : "s"): \(global) spread over \(block) channels" + drop
        }
        let others = order.dropFirst().map { "\($0): \(App.compact(peaksBefore[$0])) → \(App.compact(peaksAfter[$0]))" }
        return [first, others.isEmpty ? "one block" : "other blocks " + others.joined(separator: " · ")]
    }

    static func permutationCaption(_ state: AppState) -> [String] {
        guard let cal = state.calibration, let perm = cal.transform.permutations.last,
              let after = state.shared.stageStats[.permutation] else { return [] }
        let block = state.shared.params.block
        // out[:, i] = in[:, perm[i]]: the channel maxima before the permutation follow from those after.
        var before = [Float](repeating: 0, count: perm.count)
        for (i, from) in perm.enumerated() where from < before.count && i < after.channelMax.count { before[from] = after.channelMax[i] }
        // In the order the zigzag deals them: largest max |x| first, ties in channel order (``Zigzag``).
        var to = [Int](repeating: 0, count: perm.count)
        for (i, from) in perm.enumerated() where from < to.count { to[from] = i }
        let ranked = before.indices.sorted { before[$0] != before[$1] ? before[$0] > before[$1] : $0 < $1 }
        let moves = ranked.prefix(8).map { c in "ch \(c) → \(to[c])" + (block < perm.count ? " (blk \(to[c] / block))" : "") }
        let vb = ChannelStats.blockMeanVariance(before, block: block), va = ChannelStats.blockMeanVariance(after.channelMax, block: block)
        return ["largest first: " + moves.joined(separator: " · "),
                "variance of block means \(App.compact(vb)) → \(App.compact(va)): " + blockList(blockMeans(before, block)) + " → "
                    + blockList(blockMeans(after.channelMax, block))]
    }

    static func stepCaption(_ state: AppState, _ step: StepState) -> [String] {
        guard let cal = state.calibration, cal.traces.indices.contains(step.rotation) else { return [] }
        let traces = cal.traces[step.rotation]
        guard !traces.isEmpty else { return ["no greedy steps in this rotation"] }
        let trace = traces[min(step.traceIndex, traces.count - 1)]
        let name = trace.block < 0 ? "every block" : "block \(trace.block)"
        var first = "rotation \(step.rotation + 1), step \(step.step) of \(trace.chosen.count)"
        if step.step > 0 && step.step <= trace.chosen.count {
            first += ": \(name) spread \(chosenName(state, trace, step: step.step - 1))"
        }
        var second = ""
        if let p0 = trace.peaks.first, step.step < trace.peaks.count {
            second = "\(name)'s range (max − min) \(App.compact(p0)) → \(App.compact(trace.peaks[step.step])); the search keeps the first \(trace.kept)"
            // The heatmap shows each block after the steps its search kept (at most this many).
            if step.step > trace.kept { second += ": this step is not kept, the heatmap stays at step \(trace.kept)" }
        }
        return [first, second]
    }

    /// The channel greedy step `step` of `trace` chose, by its global number: `ch 1229 [blk 9 #77]`
    /// (a shared rotation chooses the same place in every block: `[#77] of every block`).
    package static func chosenName(_ state: AppState, _ trace: GreedyTrace, step: Int) -> String {
        guard trace.chosen.indices.contains(step) else { return "–" }
        let local = trace.chosen[step]
        guard trace.block >= 0 else { return "ch [#\(local)] of every block" }
        let global = trace.block * state.shared.params.block + local
        return "ch \(global) [blk \(trace.block) #\(local)]"
    }

    /// Max of `values` over consecutive runs of `block`.
    package static func blockPeaks(_ values: [Float], _ block: Int) -> [Float] {
        stride(from: 0, to: values.count, by: max(1, block)).map { values[$0..<min(values.count, $0 + block)].max() ?? 0 }
    }

    /// Mean of `values` over consecutive runs of `block`.
    package static func blockMeans(_ values: [Float], _ block: Int) -> [Float] {
        stride(from: 0, to: values.count, by: max(1, block)).map {
            let run = values[$0..<min(values.count, $0 + block)]
            return run.reduce(0, +) / Float(run.count)
        }
    }

    static func blockList(_ values: [Float]) -> String {
        let shown = values.prefix(12).map { App.compact($0) }.joined(separator: " ")
        return values.count > 12 ? shown + " …" : shown
    }

    static func argmax(_ v: [Float]) -> Int {
        v.indices.max { v[$0] < v[$1] } ?? 0
    }
}
