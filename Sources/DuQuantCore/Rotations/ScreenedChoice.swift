/// Screen fast, decide exactly: discrete choices made on values that BLAS computed, but decided as the
/// exact values decide them, so that they are the same under every BLAS kernel and thread count.
///
/// BLAS computes the bulk (the screen). Its results are within a bound of the exact values, and the bound
/// follows from the shapes and the float format alone (``gamma(_:)``: a dot product of length `n`, summed
/// in any order, with or without fused multiply-adds, is within `γ_n·Σ|aᵢbᵢ|` of its value). Every
/// candidate whose screened value lies within twice that bound of the best could be the exact best; those,
/// and only those, are recomputed by ``FixedOrder`` (one order, in Double, the same bits on every
/// machine) and the choice is made on the recomputed values, ties going to the lowest index. A candidate
/// alone in its band is certain without a recomputation. The outcome is therefore a function of the
/// inputs only: what differs between machines (the screen's last bits) never reaches a decision.
///
/// Users: the greedy rotation search (``GreedyRotation``: the largest and smallest entry, the selection
/// rule, the kept prefix) and the zigzag ranking (``DuQuant``). docs/DECISIONS.md states the rule.
///
/// ```swift
/// let c = ScreenedChoice.largest([(0, 1.0), (1, 1.0 + 1e-15), (2, 0.5)], bound: 1e-12) { exact[$0] }
/// // c.index: whichever of 0 and 1 is exactly larger (0 on a tie); 2 was never recomputed
/// ```
public enum ScreenedChoice {
    /// The outcome of one choice.
    public struct Choice: Sendable, Equatable {
        /// The chosen item.
        public var index: Int
        /// Its exact value, when it was recomputed (nil: it was alone in its band).
        public var exact: Double?
        /// Items recomputed to decide.
        public var recomputed: Int
        /// Its screened value and that value's bound.
        public var screened: Double, bound: Double

        /// Memberwise.
        public init(index: Int, exact: Double?, recomputed: Int, screened: Double = .nan, bound: Double = 0) {
            self.index = index
            self.exact = exact
            self.recomputed = recomputed
            self.screened = screened
            self.bound = bound
        }
    }

    /// Unit roundoff of Double, `2⁻⁵³`.
    public static let unitRoundoff = 0x1p-53

    /// `γ_n = n·u / (1 − n·u)` for Double: the relative bound of a length-`n` dot product in any order.
    public static func gamma(_ n: Int) -> Double {
        let nu = Double(Swift.max(n, 1)) * unitRoundoff
        return nu / (1 - nu)
    }

    /// The item with the largest exact value among `items` (index, screened value, bound): each screened
    /// value within its bound of the exact value, which `exact(index)` recomputes. Screened NaNs never win.
    /// Ties of exact values go to the lowest index. An item whose bound is 0 is exact as screened.
    public static func largest(_ items: [(index: Int, value: Double, bound: Double)],
                               exact: (Int) -> Double) -> Choice {
        best(items, sign: 1, exact: exact)
    }

    /// The item with the smallest exact value (as ``largest(_:exact:)``, mirrored).
    public static func smallest(_ items: [(index: Int, value: Double, bound: Double)],
                                exact: (Int) -> Double) -> Choice {
        best(items, sign: -1, exact: exact)
    }

    /// ``largest(_:exact:)`` with one bound for every item.
    public static func largest(_ items: [(index: Int, value: Double)], bound: Double, exact: (Int) -> Double) -> Choice {
        best(items.map { ($0.index, $0.value, bound) }, sign: 1, exact: exact)
    }

    /// ``smallest(_:exact:)`` with one bound for every item.
    public static func smallest(_ items: [(index: Int, value: Double)], bound: Double, exact: (Int) -> Double) -> Choice {
        best(items.map { ($0.index, $0.value, bound) }, sign: -1, exact: exact)
    }

    private static func best(_ items: [(index: Int, value: Double, bound: Double)], sign: Double,
                             exact: (Int) -> Double) -> Choice {
        precondition(!items.isEmpty, "a choice among no items")
        // The largest value any item is sure to reach; every item that may reach it is in the band.
        var floor = -Double.infinity, first = items[0]
        for it in items where sign * it.value - it.bound > floor {
            floor = sign * it.value - it.bound
            first = it
        }
        guard floor > -Double.infinity else {
            return Choice(index: first.index, exact: nil, recomputed: 0, screened: first.value, bound: first.bound)
        }
        var band: [(index: Int, value: Double, bound: Double)] = []
        for it in items where sign * it.value + it.bound >= floor { band.append(it) }
        if band.count == 1 {
            return Choice(index: band[0].index, exact: nil, recomputed: 0, screened: band[0].value, bound: band[0].bound)
        }
        var win = band[0], winValue = -Double.infinity, winExact = Double.nan, recomputed = 0
        for it in band {
            let e: Double
            if it.bound == 0 { e = it.value } else { e = exact(it.index); recomputed += 1 }
            if sign * e > winValue || (sign * e == winValue && it.index < win.index) {
                win = it
                winValue = sign * e
                winExact = e
            }
        }
        return Choice(index: win.index, exact: winExact, recomputed: recomputed, screened: win.value, bound: win.bound)
    }

    /// Indices ordered by exact value, largest first, ties by index: `screened[i]` is within `bound` of
    /// item `i`'s exact value and `exact(i)` recomputes it. Only runs of items whose neighbours lie within
    /// `2·bound` are recomputed; an item farther than that from both neighbours is already in its place.
    public static func ranking(_ screened: [Double], bound: Double, exact: (Int) -> Double) -> (order: [Int], recomputed: Int) {
        var order = screened.indices.sorted { a, b in
            let va = screened[a], vb = screened[b]
            return va != vb ? va > vb : a < b
        }
        var recomputed = 0
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && screened[order[end - 1]] - screened[order[end]] <= 2 * bound { end += 1 }
            if end - start > 1 {
                let run = order[start..<end].map { ($0, exact($0)) }
                recomputed += run.count
                let sorted = run.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                for (k, item) in sorted.enumerated() { order[start + k] = item.0 }
            }
            start = end
        }
        return (order, recomputed)
    }

    /// Whether exact `a < b`, from screened values `a`, `b` each within its bound; `exactA`/`exactB`
    /// recompute them when the bands overlap. Returns the answer and whether it recomputed.
    public static func less(_ a: Double, bound ba: Double, _ b: Double, bound bb: Double,
                            exactA: () -> Double, exactB: () -> Double) -> (less: Bool, recomputed: Bool) {
        if a + ba < b - bb { return (true, false) }
        if a - ba >= b + bb { return (false, false) }
        return (exactA() < exactB(), true)
    }
}

/// Whether discrete choices are decided exactly (the product) or on the screen alone (the bench's yardstick
/// for what the rule costs; kernel-dependent, never used for figures).
package enum DecisionRule: Sendable {
    /// Screen, then recompute the near-ties in ``FixedOrder`` (``ScreenedChoice``).
    case exact
    /// Decide on the screened values as they come.
    case screenOnly
}
