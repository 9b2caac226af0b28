import Testing
@testable import DuQuantCore
import TestSupport

/// The memory budget and the tiled output error (issue 10, item 2).
@Suite struct MemoryBudgetTests {
    /// Regression: the output error used to need the whole T×N products `X Wᵀ` and `Q(X̃)Q(W̃)ᵀ`; an
    /// 800 KB file of 100000×1 and 100000×1 aborted in the allocator asking for 40 GB. Tiles must give the
    /// same per-token errors as whole products, across several row tiles.
    @Test func issue10_tiledOutputErrorMatchesWholeProducts() {
        let x = TestData.activation(tokens: 300, channels: 8, seed: 3)
        let w = TestData.weight(out: 5000, in: 8, seed: 4)
        #expect(x.rows * w.rows > Evaluator.tileElements)
        let qx = QuantParams().activationQuantizer.quantizeRows(x)
        let qw = QuantParams().weightQuantizer.quantizeRows(w)
        var whole = [Float](repeating: 0, count: x.rows), tiled = whole
        let a = Evaluator.perRowRelativeError(qx.multipliedTransposed(by: qw), x.multipliedTransposed(by: w), into: &whole)
        let b = Evaluator.tiledRelativeError(qx, qw, reference: x, w, into: &tiled)
        #expect(abs(a.0 - b.0) <= 1e-9 * a.0 && abs(a.1 - b.1) <= 1e-9 * a.1)
        for t in 0..<x.rows { #expect(abs(whole[t] - tiled[t]) <= 1e-6 * max(1, whole[t])) }
    }

    @Test func cancelledTilesStopEarly() {
        let x = TestData.activation(tokens: 2000, channels: 4), w = TestData.weight(out: 2000, in: 4)
        let cancel = CancelToken()
        cancel.cancel()
        var out = [Float](repeating: 0, count: x.rows)
        let (num, den) = Evaluator.tiledRelativeError(x, w, reference: x, w, into: &out, cancel: cancel)
        #expect(num == 0 && den == 0)
    }

    @Test func sizesParseAndPrint() {
        #expect(MemoryBudget.parse("512M") == 512 << 20)
        #expect(MemoryBudget.parse("8g") == 8 << 30)
        #expect(MemoryBudget.parse("1.5G") == 3 << 29)
        #expect(MemoryBudget.parse("64KB") == 64 << 10)
        #expect(MemoryBudget.parse("1000") == 1000)
        for bad in ["", "-1G", "0", "G", "1e30G", "nan", "12Q"] { #expect(MemoryBudget.parse(bad) == nil, "\(bad)") }
        #expect(MemoryBudget.describe(3 << 29) == "1.5 GB")
        #expect(MemoryBudget.describe(40_000_000_000) == "37.3 GB")
    }

    @Test func estimatesOverflowToRefusal() {
        #expect(MemoryBudget.evaluationBytes(tokens: Int.max / 2, inFeatures: 3, outFeatures: 1) == nil)
        #expect(MemoryBudget.problem(needing: nil, for: "layer x")?.contains("more memory than can be addressed") == true)
        #expect(MemoryBudget.problem(needing: 1, for: "layer x") == nil)
        // A long product is not held whole: the estimate stays near the layer's own size.
        let e = MemoryBudget.evaluationBytes(tokens: 100_000, inFeatures: 1, outFeatures: 100_000)!
        #expect(e < 64 << 20)
        #expect(MemoryBudget.defaultBytes > 0)
    }
}
