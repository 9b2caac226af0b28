@testable import DuQuantCore
import Synchronization
import SyntheticLayers
import TestSupport
import Testing

/// The output product in tiles on the cores (`ProductTiles`) and the figures computed from it.
@Suite struct ProductTilesTests {
    /// `a bᵀ` element by element in Double.
    static func reference(_ a: Matrix, _ b: Matrix) -> [Double] {
        var out = [Double](repeating: 0, count: a.rows * b.rows)
        for t in 0..<a.rows {
            for n in 0..<b.rows {
                var s = 0.0
                for c in 0..<a.cols { s += Double(a[t, c]) * Double(b[n, c]) }
                out[t * b.rows + n] = s
            }
        }
        return out
    }

    static func multiply(_ a: Matrix, _ b: Matrix, _ tiles: ProductTiles, cancel: CancelToken? = nil,
                         bandDone: ((Range<Int>) -> Void)? = nil) -> (y: [Float], done: Bool) {
        var y = [Float](repeating: .nan, count: a.rows * b.rows)
        var done = false
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                y.withUnsafeMutableBufferPointer { py in
                    done = tiles.multiply(pa.baseAddress!, pb.baseAddress!, inner: a.cols, into: py.baseAddress!,
                                          ldc: b.rows, cancel: cancel, bandDone: bandDone)
                }
            }
        }
        return (y, done)
    }

    /// The grid on the 7B down_proj: about 8 GFLOP a tile, near-square, every row and column covered.
    @Test func gridOfA7BDownProjIsNearSquareTilesOfAbout8GFLOP() {
        let g = ProductTiles(rows: 2048, cols: 4096, inner: 11008)
        #expect(g.count == 24, "\(g)")
        #expect(g.bands * g.tileRows >= 2048 && (g.bands - 1) * g.tileRows < 2048)
        #expect(g.columnTiles * g.tileCols >= 4096 && (g.columnTiles - 1) * g.tileCols < 4096)
        let flops = 2 * Double(g.tileRows * g.tileCols) * 11008
        #expect(flops > 6e9 && flops < 10e9, "\(g)")
        #expect(Double(max(g.tileRows, g.tileCols)) / Double(min(g.tileRows, g.tileCols)) < 2, "\(g)")
    }

    /// Small products stay one tile; mid-sized ones are cut into at least `minTiles`; shapes come out whole.
    @Test func gridCoversEveryShape() {
        #expect(ProductTiles(rows: 3, cols: 5, inner: 7).count == 1)
        let mid = ProductTiles(rows: 256, cols: 576, inner: 1536)  // a SmolLM2 layer: 0.45 GFLOP
        #expect(mid.count >= ProductTiles.minTiles)
        for (t, n, c) in [(1, 1, 1), (1, 100_000, 3), (100_000, 1, 3), (2048, 4096, 11008), (300, 48, 64), (4096, 4096, 4096)] {
            let g = ProductTiles(rows: t, cols: n, inner: c)
            #expect(g.tileRows >= 1 && g.tileCols >= 1)
            #expect(g.bands * g.tileRows >= t && (g.bands - 1) * g.tileRows < t, "\(g)")
            #expect(g.columnTiles * g.tileCols >= n && (g.columnTiles - 1) * g.tileCols < n, "\(g)")
        }
    }

    /// Odd shapes and odd tiles: every element is the product (to float accuracy), each band handed on
    /// exactly once, after its tiles.
    @Test(arguments: [(1, 1, 1, 1, 1), (7, 5, 3, 2, 3), (37, 29, 19, 8, 7), (64, 48, 33, 64, 48), (131, 67, 45, 17, 16)])
    func tilesComputeTheProduct(t: Int, n: Int, c: Int, tileRows: Int, tileCols: Int) {
        let a = SyntheticLayer.gaussianMatrix(rows: t, cols: c, scale: 1, seed: 4)
        let b = SyntheticLayer.gaussianMatrix(rows: n, cols: c, scale: 1, seed: 5)
        let tiles = ProductTiles(rows: t, cols: n, tileRows: tileRows, tileCols: tileCols)
        let handed = Mutex<[Range<Int>]>([])
        let (y, done) = Self.multiply(a, b, tiles) { band in handed.withLock { $0.append(band) } }
        #expect(done)
        let exact = Self.reference(a, b)
        for i in 0..<(t * n) { #expect(abs(Double(y[i]) - exact[i]) <= 1e-5 * (1 + abs(exact[i])), "element \(i)") }
        let bands = handed.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(bands == (0..<tiles.bands).map { tiles.band($0) })
    }

    /// A band handed on is final: its rows hold their products when `bandDone` sees them.
    @Test func aBandHandedOnIsComplete() {
        let a = SyntheticLayer.gaussianMatrix(rows: 90, cols: 40, scale: 1, seed: 6)
        let b = SyntheticLayer.gaussianMatrix(rows: 70, cols: 40, scale: 1, seed: 7)
        let tiles = ProductTiles(rows: 90, cols: 70, tileRows: 11, tileCols: 9)
        let incomplete = Mutex(0)
        var y = [Float](repeating: .nan, count: 90 * 70)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                y.withUnsafeMutableBufferPointer { py in
                    nonisolated(unsafe) let out = py.baseAddress!
                    _ = tiles.multiply(pa.baseAddress!, pb.baseAddress!, inner: 40, into: out, ldc: 70, cancel: nil) { band in
                        for r in band { for c in 0..<70 where out[r * 70 + c].isNaN { incomplete.withLock { $0 += 1 } } }
                    }
                }
            }
        }
        #expect(incomplete.withLock { $0 } == 0)
    }

    /// The grid depends only on the shapes and every tile is one single-threaded call, so the product
    /// is the same bits whatever OpenBLAS's thread count (it was not with one multi-threaded call).
    @Test func productDoesNotDependOnTheBLASThreadCount() throws {
        let a = SyntheticLayer.gaussianMatrix(rows: 301, cols: 517, scale: 1, seed: 8)
        let b = SyntheticLayer.gaussianMatrix(rows: 203, cols: 517, scale: 1, seed: 9)
        // Through `BLAS.singleThreaded` (counted, restored by its last user), not `setThreads`: tests run in
        // parallel, and a thread count set here and restored from a stale value leaked into other tests.
        var results: [[UInt32]] = []
        for single in [true, false, true] {
            let y = try #require(single ? BLAS.singleThreaded { Evaluator.productInRowTiles(a, b, cancel: nil) }
                                        : Evaluator.productInRowTiles(a, b, cancel: nil))
            results.append(y.storage.map(\.bitPattern))
        }
        #expect(results[0] == results[1] && results[1] == results[2])
    }

    /// Cancelled before it starts: no tile runs, nothing is handed on, and the product is nil.
    @Test func cancelledBeforeTheFirstTile() {
        let a = SyntheticLayer.gaussianMatrix(rows: 40, cols: 8, scale: 1, seed: 10)
        let token = CancelToken()
        token.cancel()
        let handed = Mutex(0)
        let (y, done) = Self.multiply(a, a, ProductTiles(rows: 40, cols: 40, tileRows: 8, tileCols: 8), cancel: token) { _ in
            handed.withLock { $0 += 1 }
        }
        #expect(!done && handed.withLock { $0 } == 0 && y.allSatisfy(\.isNaN))
        #expect(Evaluator.productInRowTiles(a, a, cancel: token) == nil)
    }

    /// Per-token errors from the tiles equal the same sums over the whole product: each row summed in
    /// column order, rows added in order.
    @Test func perTokenErrorsFromTheTilesEqualTheWholeProducts() throws {
        let x = TestData.activation(tokens: 257, channels: 96, outlierChannels: [9], massive: (0, 3, 500))
        let w = TestData.weight(out: 131, in: 96)
        let reference = try #require(Evaluator.productInRowTiles(x, w, cancel: nil))
        let q = FakeQuantizer(bits: 4, clip: 0.9).quantizeRows(x)
        let product = try #require(Evaluator.productInRowTiles(q, w, cancel: nil))
        var tiled = [Float](repeating: 0, count: 257), whole = tiled
        let a = Evaluator.rowTiledRelativeError(q, w, reference: reference, into: &tiled, cancel: nil)
        let b = Evaluator.perRowRelativeError(product, reference, into: &whole)
        #expect(a.0 == b.0 && a.1 == b.1)
        #expect(tiled.map(\.bitPattern) == whole.map(\.bitPattern))
        #expect(tiled.allSatisfy { $0 > 0 && $0 < 1 })
    }
}
