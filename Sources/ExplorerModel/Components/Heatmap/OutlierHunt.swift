import DuQuantCore

/// Where the `x` key last put the cursor: the rank-th largest |x| of the shown matrix.
///
/// Pressing `x` again while the cursor is still there goes to the next largest; any other place, stage
/// or step starts again from the largest.
package struct OutlierHunt: Sendable, Equatable {
    /// What the matrix was (``HeatmapState/shownKey``) when the cursor was put there.
    package var shown: String
    /// 1 for the largest |x|, 2 for the next, …
    package var rank: Int
    package var magnitude: Float
    /// Row-major index of the value.
    package var index: Int
    package var token: Int
    package var channel: Int

    package init(shown: String, rank: Int, magnitude: Float, index: Int, token: Int, channel: Int) {
        self.shown = shown
        self.rank = rank
        self.magnitude = magnitude
        self.index = index
        self.token = token
        self.channel = channel
    }

    /// The largest |x| of `m` that comes after (`magnitude`, `index`) in the order "|x| descending, then
    /// position ascending" (the largest of all when `after` is nil), as (|x|, row-major index).
    ///
    /// One pass and no memory: pressing the key n times costs n passes, not a sort of the matrix.
    /// ```swift
    /// OutlierHunt.next(in: m, after: nil)            // the largest
    /// OutlierHunt.next(in: m, after: (9.0, 17))      // the next one
    /// ```
    package static func next(in m: Matrix, after: (magnitude: Float, index: Int)?) -> (magnitude: Float, index: Int)? {
        var best: Float = -1, bestIndex = -1
        m.storage.withUnsafeBufferPointer { v in
            for i in 0..<v.count {
                let a = Swift.abs(v[i])
                guard !a.isNaN else { continue }
                if let after {
                    // Only values ranked after the previous one.
                    if a > after.magnitude || (a == after.magnitude && i <= after.index) { continue }
                }
                if a > best { best = a; bestIndex = i }
            }
        }
        return bestIndex < 0 ? nil : (best, bestIndex)
    }
}

extension Heatmap {
    /// `x`: the cursor to the largest |x| of the shown matrix; pressed again in place, to the next largest.
    static func huntOutlier(_ s: inout HeatmapState, _ ctx: Context) -> [Request] {
        guard let m = s.shownMatrix(ctx.shared), m.rows > 0, m.cols > 0 else { return [.notice("nothing to search yet")] }
        let key = s.shownKey
        var after: (Float, Int)? = nil
        var rank = 1
        if let h = s.hunt, h.shown == key, h.token == s.view.cursorToken, h.channel == s.view.cursorChannel {
            after = (h.magnitude, h.index)
            rank = h.rank + 1
        }
        guard let (a, i) = OutlierHunt.next(in: m, after: after) else { return [.notice("no more values")] }
        let t = i / m.cols, c = i % m.cols
        s.hunt = OutlierHunt(shown: key, rank: rank, magnitude: a, index: i, token: t, channel: c)
        s.view.cursorToken = t
        s.view.cursorChannel = c
        // Keep the zoom, centred on the value.
        let (tokens, channels) = ctx.shared.openShape
        s.view.applyZoom(s.view.zoom, tokens: tokens, channels: channels)
        let nth = rank == 1 ? "largest" : "#\(rank) largest"
        return [.focusHeatmapFromList,
                .notice("\(nth) |x| \(App.compact(a)) at tok \(t), \(ctx.shared.channelName(c)) — x again: next")]
    }
}
