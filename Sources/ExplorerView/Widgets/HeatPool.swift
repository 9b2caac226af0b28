import DuQuantCore
import Foundation
import ExplorerModel

/// A matrix pooled into display bins by max |x|, so one outlier still lights its whole bin.
///
/// ```swift
/// let pool = HeatPool(matrix: x, view: view, columns: 60, rows: 40)
/// pool[3, 7]   // max |x| over bin (row 3, column 7)
/// ```
package struct HeatPool: Sendable {
    package let columns: Int
    package let rows: Int
    /// Max |x| per bin, row-major.
    package let values: [Float]
    /// Token range of each bin row.
    package let tokenBins: [Range<Int>]
    /// Channel range of each bin column.
    package let channelBins: [Range<Int>]
    /// Max |x| per bin column over the visible tokens: the channel profile under the heatmap.
    package let columnMax: [Float]

    package init(matrix: Matrix, view: HeatView, columns: Int, rows: Int) {
        let tStart = min(max(0, view.tokenStart), max(0, matrix.rows - 1))
        let tCount = max(0, min(view.tokenSpan, matrix.rows - tStart))
        let cStart = min(max(0, view.channelStart), max(0, matrix.cols - 1))
        let cCount = max(0, min(view.channelSpan, matrix.cols - cStart))
        // Fewer items than bins: use one bin per item rather than stretching rows (stretching columns is
        // fine, stretching tokens would repeat rows and suggest structure that is not there).
        let nRows = min(rows, tCount)
        let nCols = min(columns, cCount)
        self.columns = nCols
        self.rows = nRows
        let tBins = (0..<nRows).map { HeatView.bin($0, of: nRows, start: tStart, count: tCount) }
        let cBins = (0..<nCols).map { HeatView.bin($0, of: nCols, start: cStart, count: cCount) }
        tokenBins = tBins
        channelBins = cBins
        var out = [Float](repeating: 0, count: nRows * nCols)
        let cols = matrix.cols
        // Column index → bin lookup keeps the inner loop a single pass over each row.
        var binOf = [Int](repeating: -1, count: cCount)
        for (b, r) in cBins.enumerated() { for c in r { binOf[c - cStart] = b } }
        // Unsafe buffers throughout: this loop touches every visible value on every frame.
        matrix.storage.withUnsafeBufferPointer { src in
            binOf.withUnsafeBufferPointer { bins in
                out.withUnsafeMutableBufferPointer { dst in
                    for (rb, tr) in tBins.enumerated() {
                        let base = rb * nCols
                        var t = tr.lowerBound
                        while t < tr.upperBound {
                            let row = t * cols + cStart
                            var j = 0
                            while j < cCount {
                                let b = base &+ bins[j]
                                let a = Swift.abs(src[row &+ j])
                                if !(a <= dst[b]) { dst[b] = a }  // also takes NaN
                                j &+= 1
                            }
                            t &+= 1
                        }
                    }
                }
            }
        }
        values = out
        var columnMax = [Float](repeating: 0, count: nCols)
        for r in 0..<nRows { for k in 0..<nCols { columnMax[k] = max(columnMax[k], out[r * nCols + k]) } }
        self.columnMax = columnMax
    }

    package subscript(row: Int, column: Int) -> Float {
        values[row * columns + column]
    }

    /// The bin row holding `token`, if visible.
    package func row(ofToken token: Int) -> Int? {
        tokenBins.firstIndex { $0.contains(token) }
    }

    /// The bin column holding `channel`, if visible.
    package func column(ofChannel channel: Int) -> Int? {
        channelBins.firstIndex { $0.contains(channel) }
    }

    /// Where the largest |x| of bin (`row`, `column`) sits in `matrix` (the matrix pooled): the first in
    /// row-major order on a tie; the bin's first cell when no value is larger than -1 (all NaN).
    package func largest(inRow row: Int, column: Int, of matrix: Matrix) -> (token: Int, channel: Int) {
        let tb = tokenBins[row], cb = channelBins[column]
        var best: (Float, Int, Int) = (-1, tb.lowerBound, cb.lowerBound)
        for bt in tb where bt < matrix.rows {
            for bc in cb where bc < matrix.cols {
                let a = abs(matrix[bt, bc])
                if a > best.0 { best = (a, bt, bc) }
            }
        }
        return (best.1, best.2)
    }
}

/// Maps |x| to an intensity in 0...1 for a given maximum and scale.
package struct HeatMapping: Sendable, Equatable {
    package var maximum: Float
    package var scale: HeatScale
    /// Decades shown below the maximum on the log scale.
    package static let logDecades: Float = 4

    /// The smallest value distinguished from zero on the log scale.
    package let floor: Float
    /// True when ``floor`` is the 10th percentile of |x| (else it is ``logDecades`` below the maximum).
    package let floorIsPercentile: Bool
    /// Decades the log scale spans, from ``floor`` to the maximum.
    package var decades: Float { log10f(maximum / floor) }

    /// A mapping up to `maximum`; the log scale starts at `lowAbs` (the 10th percentile of |x|, so ~90% of
    /// the values get a colour) when it lies at least a decade below the maximum, else four decades below.
    package init(maximum: Float, scale: HeatScale, lowAbs: Float? = nil) {
        let maximum = maximum.isFinite && maximum > 0 ? maximum : 1
        self.maximum = maximum
        self.scale = scale
        if let low = lowAbs, low.isFinite, low > 0, low <= maximum / 10 {
            floor = low
            floorIsPercentile = true
        } else {
            floor = maximum / powf(10, HeatMapping.logDecades)
            floorIsPercentile = false
        }
    }

    package func intensity(_ v: Float) -> Double {
        let a = abs(v)
        switch scale {
        case .linear:
            return Double(min(1, a / maximum))
        case .log:
            guard a > floor else { return 0 }
            return Double(min(1, log10f(a / floor) / decades))
        }
    }

    /// The value at intensity `t` (for legend ticks).
    package func value(at t: Double) -> Float {
        switch scale {
        case .linear: return maximum * Float(t)
        case .log: return t <= 0 ? 0 : floor * powf(10, Float(t) * decades)
        }
    }
}
