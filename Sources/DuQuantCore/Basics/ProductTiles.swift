import Dispatch
import DuQuantCompute
import Synchronization

/// An output product `a bᵀ` (T×C · (N×C)ᵀ) cut into a grid of tiles that run on the cores, each tile one
/// single-threaded BLAS call.
///
/// Why tiles of both rows and columns: a tile of `m` rows and `n` columns reads `(m + n)·C` values for
/// `2·m·n·C` flops. Thin row tiles over all N outputs (44 rows on a 7B down_proj) re-read the whole
/// weight for every tile and ran the product at 40% of the sgemm peak; near-square tiles read several
/// times less and keep it at the peak. The cores take tiles from a shared counter, so a core slowed by
/// other work takes fewer of them, and `cancel` is checked before each tile (one tile is about
/// ``tileFlops``, a tenth of a second on one core).
///
/// Every element comes from one BLAS call over the whole inner dimension, in double (``BLAS/gemmInDouble(m:n:k:a:lda:b:ldb:c:ldc:)``), and the grid depends only on
/// the shapes: the product is the same whatever the number of cores or of BLAS threads.
///
/// ```swift
/// let tiles = ProductTiles(rows: t, cols: n, inner: c)
/// let done = tiles.multiply(a, b, inner: c, into: y, cancel: token) { band in /* rows of band are final */ }
/// ```
package struct ProductTiles: Sendable, Equatable {
    /// Rows of the product (T).
    package let rows: Int
    /// Columns of the product (N).
    package let cols: Int
    /// Rows of one tile (the last band may be shorter).
    package let tileRows: Int
    /// Columns of one tile (the last may be narrower).
    package let tileCols: Int

    /// Floating-point operations per tile (about 100 ms on one core at 80 GFLOP/s). On the 7B down_proj
    /// the tiled product took 1.25 s with 4 GFLOP tiles, 1.21 s with 8 and 1.18 s with 16, against 1.12 s
    /// for one call on both cores (which cannot be cancelled): larger tiles re-read less.
    package static let tileFlops = 8e9
    /// Products below this many flops per tile are not cut further (the call overhead would dominate).
    package static let minTileFlops = 1e7
    /// Tiles a product is cut into at least, when large enough, so that every core has work.
    package static let minTiles = 8

    /// A grid given its tile size (tests pick odd ones).
    package init(rows: Int, cols: Int, tileRows: Int, tileCols: Int) {
        precondition(rows >= 0 && cols >= 0 && tileRows > 0 && tileCols > 0)
        self.rows = rows
        self.cols = cols
        self.tileRows = tileRows
        self.tileCols = tileCols
    }

    /// The grid for a T×C · (N×C)ᵀ product: about ``tileFlops`` per tile (at least ``minTiles`` tiles of
    /// at least ``minTileFlops`` when the product is that large), tiles as square as the shape allows.
    package init(rows t: Int, cols n: Int, inner c: Int) {
        let flops = 2 * Double(t) * Double(n) * Double(Swift.max(c, 1))
        let byFlops = (flops / Self.tileFlops).rounded(.up)
        let wanted = Swift.max(1, Swift.max(byFlops, Swift.min(Double(Self.minTiles), (flops / Self.minTileFlops).rounded(.down))))
        // Square tiles: side² = t·n / wanted, then whole counts of bands and columns.
        let side = (Double(t) * Double(n) / wanted).squareRoot()
        let bands = Swift.max(1, Swift.min(t, Int((Double(t) / side).rounded())))
        let columns = Swift.max(1, Swift.min(n, Int((wanted / Double(bands)).rounded(.up))))
        self.init(rows: t, cols: n, tileRows: Swift.max(1, (t + bands - 1) / bands),
                  tileCols: Swift.max(1, (n + columns - 1) / columns))
    }

    /// Bands of rows.
    package var bands: Int { (rows + tileRows - 1) / tileRows }
    /// Tiles per band.
    package var columnTiles: Int { (cols + tileCols - 1) / tileCols }
    /// Tiles in all.
    package var count: Int { bands * columnTiles }

    /// The rows of band `k`.
    package func band(_ k: Int) -> Range<Int> { (k * tileRows)..<Swift.min(rows, (k + 1) * tileRows) }

    /// Computes `a bᵀ` into `out` (row stride `ldc`), tile by tile on the cores; false if `cancel` fired
    /// before the last tile (some tiles are then not written, and their bands not handed on).
    ///
    /// `a` is `rows`×`inner`, `b` is `cols`×`inner`, both dense row-major. Tiles are taken band after
    /// band; `bandDone` is called with a band's rows by the core that finishes its last tile, while the
    /// other cores go on, so work on a band's finished rows overlaps the rest of the product and finds
    /// them still in cache. It must touch only those rows' data.
    @discardableResult
    package func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, inner c: Int,
                          into out: UnsafeMutablePointer<Float>, ldc: Int, cancel: CancelToken?,
                          bandDone: ((Range<Int>) -> Void)? = nil) -> Bool {
        guard rows > 0, cols > 0 else { return true }
        let total = count, perBand = columnTiles
        let next = Atomic<Int>(0), stopped = Atomic<Bool>(false)
        let remaining = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: bands)
        for k in 0..<bands { (remaining + k).initialize(to: Atomic(perBand)) }
        defer {
            remaining.deinitialize(count: bands)
            remaining.deallocate()
        }
        nonisolated(unsafe) let a = a, b = b, out = out, left = remaining, handOn = bandDone
        @Sendable func work(_: Int) {
            FlushToZero.run {
                while true {
                    let k = next.add(1, ordering: .relaxed).oldValue
                    guard k < total else { return }
                    if cancel?.isCancelled == true { stopped.store(true, ordering: .relaxed); return }
                    let band = k / perBand, r0 = band * tileRows, n0 = (k % perBand) * tileCols
                    let m = Swift.min(tileRows, rows - r0), n = Swift.min(tileCols, cols - n0)
                    if c > 0 {
                        if !BLAS.gemmInDouble(m: m, n: n, k: c, a: a + r0 * c, lda: c, b: b + n0 * c, ldb: c,
                                              c: out + r0 * ldc + n0, ldc: ldc, cancel: cancel) {
                            stopped.store(true, ordering: .relaxed)
                            return
                        }
                    } else {
                        for r in 0..<m { (out + (r0 + r) * ldc + n0).update(repeating: 0, count: n) }
                    }
                    // The last tile of a band to finish hands the band on (acquiring the others' writes).
                    if (left + band).pointee.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                        handOn?(r0..<(r0 + m))
                    }
                }
            }
        }
        BLAS.singleThreaded {
            let workers = Swift.min(ParallelRows.cores, total)
            if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers) { work($0) } }
        }
        return !stopped.load(ordering: .relaxed)
    }
}
