import DuQuantCore
import ExplorerModel

/// The heatmap's pooled bins, made once per (matrix, visible window, bins) and kept between frames.
///
/// Pooling reads every visible value of a matrix (on a large layer, tens of millions); a redraw for a
/// cursor move, a key in another panel or a progress tick shows the same bins. Whoever draws frames keeps
/// one cache and passes it to ``Screen/render(_:theme:cache:)``, which takes the pools of a frame from it
/// before drawing anything; the drawing itself only reads them.
///
/// ```swift
/// var cache = HeatCache()
/// backend.draw(Screen.render(state, theme: theme, cache: &cache))   // pools
/// backend.draw(Screen.render(state, theme: theme, cache: &cache))   // reuses them
/// ```
///
/// A matrix is recognised by its storage: an entry holds the matrix, so that storage cannot be freed and
/// given to another matrix while the entry lives, and a matrix changed since has storage of its own (copy
/// on write). Only the last frame's pools are kept (at most one per pane), so the cache never holds a
/// matrix the state has dropped for longer than a frame.
package struct HeatCache {
    /// Pools made so far: a redraw of the same matrices, window and size makes none.
    package private(set) var poolings = 0
    private var entries: [Entry] = []

    package init() {}

    /// What a pool depends on.
    struct Key: Equatable {
        var storage: Int
        var matrixRows: Int
        var matrixColumns: Int
        var tokenStart: Int
        var tokenSpan: Int
        var channelStart: Int
        var channelSpan: Int
        var columns: Int
        var rows: Int

        init(_ matrix: Matrix, _ view: HeatView, columns: Int, rows: Int) {
            storage = matrix.storage.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
            matrixRows = matrix.rows
            matrixColumns = matrix.cols
            tokenStart = view.tokenStart
            tokenSpan = view.tokenSpan
            channelStart = view.channelStart
            channelSpan = view.channelSpan
            self.columns = columns
            self.rows = rows
        }
    }

    private struct Entry {
        var key: Key
        /// Held so that its storage, which names it in `key`, stays its own.
        var matrix: Matrix
        var pool: HeatPool
        /// Where the largest |x| of a bin sits, by bin (row × columns + column), as the cursor visited them.
        var peaks: [Int: (token: Int, channel: Int)] = [:]
    }

    /// The pools of `panes` for `view`, and the largest value of the cursor's bin in the last pane.
    mutating func frame(for panes: [HeatPane], view: HeatView) -> HeatFrame {
        Hop.here()
        var kept: [Entry] = []
        var pools: [HeatPool?] = []
        var last: Int?
        for pane in panes {
            guard let matrix = pane.matrix else {
                pools.append(nil)
                last = nil
                continue
            }
            let key = Key(matrix, view, columns: pane.columns, rows: pane.rows)
            if let i = kept.firstIndex(where: { $0.key == key }) {
                last = i
            } else {
                if let known = entries.first(where: { $0.key == key }) {
                    kept.append(known)
                } else {
                    poolings += 1
                    kept.append(Entry(key: key, matrix: matrix,
                                      pool: HeatPool(matrix: matrix, view: view, columns: pane.columns, rows: pane.rows)))
                }
                last = kept.count - 1
            }
            pools.append(kept[last!].pool)
        }
        var peak: (token: Int, channel: Int)?
        if let i = last { peak = cursorPeak(&kept[i], view: view) }
        entries = kept
        return HeatFrame(pools: pools, cursorPeak: peak)
    }

    /// Where the largest |x| of the bin under the cursor sits, when that bin holds more than one value.
    private func cursorPeak(_ entry: inout Entry, view: HeatView) -> (token: Int, channel: Int)? {
        let m = entry.matrix, pool = entry.pool
        let t = view.cursorToken, c = view.cursorChannel
        guard t < m.rows, c < m.cols, let r = pool.row(ofToken: t), let k = pool.column(ofChannel: c),
              pool.tokenBins[r].count > 1 || pool.channelBins[k].count > 1 else { return nil }
        let bin = r * pool.columns + k
        if let known = entry.peaks[bin] { return known }
        let found = pool.largest(inRow: r, column: k, of: m)
        entry.peaks[bin] = found
        return found
    }
}

/// What the heatmap panes of one frame draw from, prepared before drawing by ``HeatCache``.
struct HeatFrame {
    /// Each pane's pool, in the order of ``Screen/heatPanes(_:layout:rowsPerCell:)`` (nil: nothing to show).
    var pools: [HeatPool?] = []
    /// Where the largest |x| of the cursor's bin in the last pane sits, when the bin holds several values.
    var cursorPeak: (token: Int, channel: Int)?
}
