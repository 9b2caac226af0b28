import DuQuantCompute
@testable import DuQuantCore
import SyntheticLayers
import Testing

/// A calibration that keeps only the transform (`export`, the forward pass) decides exactly what one that
/// keeps every stage decides, through the in-place paths it takes to hold one copy of the input's screen.
@Suite struct RetentionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var inFeatures: Int, block: Int, layout: RotationLayout, select: Selection, smooth: Bool, permTimes: Int
        var testDescription: String { "\(inFeatures)/\(block) \(layout) \(select) smooth \(smooth) perm \(permTimes)" }
    }

    static let cases: [Case] = [
        // The shared layout with full blocks: the screen is the search's matrix, handed over at the last stage.
        Case(inFeatures: 320, block: 64, layout: .shared, select: .reference, smooth: true, permTimes: 1),
        Case(inFeatures: 320, block: 64, layout: .shared, select: .paper, smooth: false, permTimes: 2),
        // A tail block (336 = 5 × 64 + 16): the full blocks are copied out of the screen.
        Case(inFeatures: 336, block: 64, layout: .shared, select: .reference, smooth: true, permTimes: 1),
        // One search per block, each on its own copy, rotated in place at the last stage.
        Case(inFeatures: 320, block: 64, layout: .perblock, select: .paper, smooth: true, permTimes: 1),
        Case(inFeatures: 336, block: 32, layout: .perblock, select: .reference, smooth: true, permTimes: 2),
    ]

    @Test(arguments: cases) func keepingOnlyTheTransformDecidesTheSame(_ c: Case) throws {
        let shape = SyntheticLayer.Shape(name: "realistic.mlp.down_proj", tokens: 160, inFeatures: c.inFeatures, outFeatures: 48)
        let layer = RealisticLayer.generate(shape).layer
        var p = QuantParams()
        p.block = c.block
        p.steps = 20
        p.layout = c.layout
        p.select = c.select
        p.smooth = c.smooth
        p.permTimes = c.permTimes
        let all = try #require(DuQuant.calibrate(layer, p))
        let lean = try #require(DuQuant.calibrate(layer, p, retain: .transform))
        #expect(lean.traces == all.traces)
        #expect(lean.transform == all.transform)
        #expect(lean.keptSteps == all.keptSteps)
        #expect(lean.keptSteps.reduce(0, +) > 0, "the searches kept no step: the case tests nothing")
        #expect(lean.stages.isEmpty && lean.rotationInputs.isEmpty)
        #expect(all.stages.count == Stage.allCases.count)
        // The stages kept are the transform applied (stage by stage, so to rounding): the last one is X̃.
        let xt = lean.transform.apply(toInput: layer.input), kept = all.matrix(.rotation2)
        let scale = xt.storage.map(abs).max() ?? 1
        #expect(zip(xt.storage, kept.storage).allSatisfy { abs($0 - $1) <= 1e-5 * scale })
    }

    // The search's rows put in visiting order in place are the rows gathered in that order.
    @Test func rowsPermutedInPlaceAreTheGatheredRows() {
        var g = SeededGenerator(seed: 7)
        for (count, width) in [(1, 3), (2, 1), (17, 4), (300, 8)] {
            let m = (0..<(count * width)).map { _ in Double(g.nextGaussian()) }
            var order = Array(0..<count)
            for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(g.next() % UInt64(i + 1))) }
            var inPlace = m
            GreedySearchState.permuteRows(&inPlace, width: width, order: order)
            let gathered = order.flatMap { m[($0 * width)..<(($0 + 1) * width)] }
            #expect(inPlace == gathered, "\(count) rows of \(width)")
        }
    }

    // Columns gathered in place are the columns gathered into a new matrix.
    @Test func columnsGatheredInPlaceAreTheGatheredColumns() {
        var g = SeededGenerator(seed: 8)
        let rows = 5, cols = 12
        let m = (0..<(rows * cols)).map { _ in Double(g.nextGaussian()) }
        let perm = Zigzag.permutation(ranked: Array((0..<cols).reversed()), block: 4)
        var inPlace = m
        DuQuant.gatherColumns(&inPlace, rows: rows, cols: cols, perm)
        for t in 0..<rows { for (i, j) in perm.enumerated() { #expect(inPlace[t * cols + i] == m[t * cols + j]) } }
    }

    // Rotating rows in place, tile by tile through a scratch tile, gives the bits of the same BLAS calls
    // writing elsewhere (one worker: the same tiles), and the extremes of the product.
    @Test func rowsRotatedInPlaceAreTheProduct() {
        var g = SeededGenerator(seed: 9)
        let rows = GreedyScan.tileRows * 2 + 37, n = 16
        let a = (0..<(rows * n)).map { _ in Double(g.nextGaussian()) }
        let b = (0..<(n * n)).map { _ in Double(g.nextGaussian()) }
        var expected = [Double](repeating: 0, count: rows * n)
        var done = 0
        while done < rows {
            let take = min(GreedyScan.tileRows, rows - done)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    expected.withUnsafeMutableBufferPointer { pc in
                        BLAS.dgemm(m: take, n: n, k: n, a: pa.baseAddress! + done * n, lda: n, b: pb.baseAddress!, ldb: n,
                                   c: pc.baseAddress! + done * n, ldc: n)
                    }
                }
            }
            done += take
        }
        var work = a
        let ids = Array(0..<rows)
        var rowMax = [Double](repeating: 0, count: rows), rowMin = rowMax
        let e = work.withUnsafeMutableBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                ids.withUnsafeBufferPointer { pi in
                    rowMax.withUnsafeMutableBufferPointer { px in
                        rowMin.withUnsafeMutableBufferPointer { pn in
                            GreedyScan.multiplyScanParallel(rows: pa.baseAddress!, count: rows, n: n, b: pb.baseAddress!,
                                                            ids: pi.baseAddress!, rowMax: px.baseAddress!, rowMin: pn.baseAddress!,
                                                            workers: 1)
                        }
                    }
                }
            }
        }
        #expect(work == expected)
        #expect(e.maxV == expected.max() && e.minV == expected.min())
        #expect(rowMax[rows - 1] == expected[((rows - 1) * n)...].max())
    }
}
