#if canImport(Glibc)
import Glibc
#endif
@testable import DuQuantCore
import SyntheticLayers
import TestSupport
import Testing

/// QuaRot-style weight clip search: whatever ratio is tried first, the choice is the grid's first least
/// cost, as the search in grid order (1.00, 0.99 … 0.21) makes it.
@Suite struct ClipSearchTests {
    static func rows() -> [[Float]] {
        var out: [[Float]] = []
        var w = TestData.weight(out: 10, in: 203, seed: 31)  // 203: a tail past the eight-wide loop
        for r in 0..<10 { w[r, (r * 13) % 203] = Float(r) * 0.3 }  // outliers of every size
        for r in 0..<10 { out.append(Array(w.storage[(r * 203)..<((r + 1) * 203)])) }
        out.append([Float](repeating: 0, count: 50))  // every ratio costs 0: ties everywhere
        out.append([Float](repeating: 0.25, count: 37))  // a constant row
        out.append([1, -1, 1, -1, 0.5, -0.5, 0, 0, 1])  // few levels: many ratios tie
        out.append((0..<64).map { Float($0 % 16) - 7.5 })  // exactly on a 4-bit grid at ratio 1
        out.append([3])
        return out
    }

    static func choices(_ q: FakeQuantizer, _ row: [Float], guess: Int) -> (guessed: Int, inOrder: Int) {
        let (lo, hi) = (row.min()!, row.max()!)
        return row.withUnsafeBufferPointer { p in
            (q.searchedIndex(p.baseAddress!, row.count, lo: lo, hi: hi, guess: guess),
             q.searchedIndexInOrder(p.baseAddress!, row.count, lo: lo, hi: hi))
        }
    }

    @Test func anyFirstGuessEndsOnTheGridsFirstLeastCost() {
        for q in [FakeQuantizer(bits: 4, searchClip: true), FakeQuantizer(bits: 3, clip: 0.9, symmetric: true, searchClip: true),
                  FakeQuantizer(bits: 2, searchClip: true)] {
            for (k, row) in Self.rows().enumerated() {
                for guess in [0, 1, 17, 30, 55, 79, -3, 200] {
                    let (guessed, inOrder) = Self.choices(q, row, guess: guess)
                    #expect(guessed == inOrder, "row \(k), guess \(guess), \(q)")
                }
            }
        }
    }

    /// Ties keep the wider range: a row every ratio quantizes without error chooses 1.00 from any guess.
    @Test func tiesKeepTheWiderRangeFromAnyGuess() {
        let q = FakeQuantizer(bits: 4, searchClip: true)
        for guess in [0, 40, 79] { #expect(Self.choices(q, [Float](repeating: 0, count: 50), guess: guess).guessed == 0) }
    }

    /// The grid order's choice against costs summed in Double with `powf` (no early stop at all), on rows
    /// whose least cost is clear: the fast search changes nothing that matters.
    @Test func inOrderSearchIsTheArgminOfTheFullCosts() {
        let q = FakeQuantizer(bits: 4, searchClip: true)
        for row in Self.rows().prefix(10) {
            let (lo, hi) = (row.min()!, row.max()!)
            let costs = FakeQuantizer.searchedRatios.map { ratio -> Double in
                let (scale, zero) = q.parameters(min: lo * ratio, max: hi * ratio)
                return row.reduce(0) { s, v in
                    let l = Swift.min(Swift.max((v / scale).rounded(.toNearestOrEven) + zero, 0), q.qmax)
                    return s + Double(powf(abs((l - zero) * scale - v), 2.4))
                }
            }
            let best = costs.min()!
            let chosen = Self.choices(q, row, guess: 25).guessed
            #expect(costs[chosen] <= best * (1 + 1e-4))
        }
    }

    /// The bound that rules ratios out never exceeds the cost it bounds, over the whole grid, whether it
    /// ran to the end or stopped early; and it is close (within a few %) on rows of rounding errors, or it
    /// would rule nothing out.
    @Test func boundIsBelowTheCostAndClose() {
        let q = FakeQuantizer(bits: 4, searchClip: true)
        var rows = Self.rows()
        rows.append(SyntheticLayer.gaussianMatrix(rows: 1, cols: 5003, scale: 0.02, seed: 41).storage)
        var heavy = SyntheticLayer.gaussianMatrix(rows: 1, cols: 2048, scale: 1, seed: 42).storage
        heavy[7] = 900
        heavy[1500] = -300
        rows.append(heavy)
        var tightest = 0.0
        for row in rows {
            let (lo, hi) = (row.min()!, row.max()!)
            row.withUnsafeBufferPointer { p in
                for ratio in FakeQuantizer.searchedRatios {
                    let (scale, zero) = q.parameters(min: lo * ratio, max: hi * ratio)
                    let cost = Double(q.clipCost(p.baseAddress!, row.count, scale: scale, zero: zero, stopAt: .infinity))
                    let bound = q.clipCostBound(p.baseAddress!, row.count, scale: scale, zero: zero, stopAt: .infinity)
                    let early = q.clipCostBound(p.baseAddress!, row.count, scale: scale, zero: zero, stopAt: bound / 3)
                    #expect(bound <= cost && early <= cost, "ratio \(ratio), \(row.count) values: \(bound) > \(cost)")
                    #expect(bound >= 0 && early >= 0)
                    if row.count == 5003, ratio == 1 { tightest = bound / cost }
                }
            }
        }
        #expect(tightest > 0.95, "\(tightest)")
    }

    /// A row with a NaN is searched in grid order, as before (its costs are NaN: the first ratio stays).
    @Test func nonFiniteRowsAreSearchedInGridOrder() {
        let q = FakeQuantizer(bits: 4, searchClip: true)
        var row = Self.rows()[3]
        row[50] = .nan
        for guess in [0, 30] {
            let (guessed, inOrder) = Self.choices(q, row, guess: guess)
            #expect(guessed == inOrder)
        }
        var big = Self.rows()[4]
        big[7] = 3e38
        big[8] = -3e38
        #expect(Self.choices(q, big, guess: 30).guessed == Self.choices(q, big, guess: 30).inOrder)
    }

    /// `quantizeRows` with the search on a matrix whose rows want different ratios: each row as its own
    /// grid-order choice quantizes it (the previous row's choice is only the first guess).
    @Test func quantizeRowsUsesEachRowsOwnChoice() {
        var m = SyntheticLayer.gaussianMatrix(rows: 67, cols: 203, scale: 1, seed: 12)
        for r in 0..<67 where r % 3 == 0 { m[r, r] = Float(r) * 0.5 }
        let q = FakeQuantizer(bits: 4, searchClip: true)
        let fast = q.quantizeRows(m)
        for r in 0..<67 {
            let row = Array(m.storage[(r * 203)..<((r + 1) * 203)])
            let ratio = FakeQuantizer.searchedRatios[Self.choices(q, row, guess: 0).inOrder]
            let expected = FakeQuantizer(bits: 4, clip: ratio).quantizeRows(Matrix(rows: 1, cols: 203, storage: row))
            #expect(Array(fast.storage[(r * 203)..<((r + 1) * 203)]).map(\.bitPattern) == expected.storage.map(\.bitPattern), "row \(r)")
        }
    }
}
