#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cheap lower bound on a searched clip ratio's cost, so that most ratios are ruled out without it.
///
/// The clip search (``FakeQuantizer/searchedIndex(_:_:lo:hi:guess:)``) compares 80 ratios by
/// Σ|x − Q(x)|^2.4, and the power (``FakeQuantizer/pow24(_:)``) is most of the work: about six times
/// the rest. The power is convex in d², so by Jensen's inequality `Σ dᵢ^2.4 ≥ k·(Σ dᵢ²/k)^1.2` over any
/// k terms, and Σd² costs no power. On rows whose error is mostly rounding the bound is about 0.9 of the
/// cost, so every ratio whose cost is more than ~10% above the best is ruled out for the price of its
/// d² (and often of a prefix of them: the bound is checked as it grows).
///
/// The bound is on the float sum that ``FakeQuantizer/clipCost(_:_:scale:zero:stopAt:)`` would return,
/// with margins for everything between them: the polynomial power is never more than 5.04e-6 below
/// `d^2.4` for d in [1e-15, 1.8e19] (checked on every float there; above, it is +inf, and smaller d
/// count as 0 here), and float sums of k non-negative terms are within `k·2^-24` of their exact value.
extension FakeQuantizer {
    /// Differences below this count as 0 in the bound (the power's error is only checked above it).
    static let boundFloor: Float = 1e-15
    /// The power's largest relative shortfall from `d^2.4` on [1e-15, 1.8e19], with a margin (5.04e-6 measured).
    static let powerShortfall = 1e-5
    /// Elements between two checks of the bound (before that, checks at 128, 256 and 512: a ratio far
    /// from the best is ruled out within its first values).
    static let boundStride = 1024

    /// A lower bound on the cost `clipCost(p, n, scale:, zero:, stopAt: .infinity)` returns: Jensen's
    /// bound on Σd^2.4 over the first elements, shrunk by the margins above. It returns as soon as the
    /// bound reaches `stopAt` (that value is then a bound too), else the bound over the whole row.
    package func clipCostBound(_ p: UnsafePointer<Float>, _ n: Int, scale: Float, zero: Float, stopAt: Double) -> Double {
        guard n > 0 else { return 0 }
        // Every float sum here and in `clipCost` adds at most n/8 + 16 terms into one value.
        let gamma = Double(n / 8 + 16) * 0x1p-24 * 1.01
        guard gamma < 0.01 else { return 0 }  // rows of over ~1.3M values: no bound (never ruled out)
        let shrink = (1 - gamma) * (1 - Self.powerShortfall) / pow(1 + gamma + 0x1p-24, 1.2) * (1 - 1e-9)
        // Jensen per group of similar |d| is tighter than over the whole row: the rounding errors of the
        // lower half (|d| below a quarter of the scale), of the upper half, and the clipped values (|d|
        // over half the scale) each on their own.
        func bound(_ sums: SIMD4<Float>, _ counts: SIMD4<Int32>) -> Double {
            var b = 0.0
            for g in 0..<3 where sums[g] > 0 && counts[g] > 0 {
                b += Double(counts[g]) * pow(Double(sums[g]) / Double(counts[g]), 1.2)
            }
            return shrink * b
        }
        let vs = SIMD8<Float>(repeating: scale), vz = SIMD8<Float>(repeating: zero), vmax = SIMD8<Float>(repeating: qmax)
        let v0 = SIMD8<Float>(repeating: 0), floor = SIMD8<Float>(repeating: Self.boundFloor)
        let quarter = SIMD8<Float>(repeating: scale * 0.25), half = SIMD8<Float>(repeating: scale * 0.5)
        var small = v0, middle = v0, large = v0, nSmall = SIMD8<Int32>(repeating: 0), nLarge = nSmall
        let one = SIMD8<Int32>(repeating: 1), none = SIMD8<Int32>(repeating: 0)
        func totals(_ k: Int) -> (SIMD4<Float>, SIMD4<Int32>) {
            let a = nSmall.wrappedSum(), c = nLarge.wrappedSum()
            return (SIMD4(small.sum(), middle.sum(), large.sum(), 0), SIMD4(a, Int32(k) - a - c, c, 0))
        }
        var i = 0
        while i + 8 <= n {
            // |d| by the same operations as `clipCost`'s terms, so the same d.
            let x = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            var q = (x / vs).rounded(.toNearestOrEven) + vz
            q.replace(with: v0, where: v0 .>= q)
            q.replace(with: vmax, where: vmax .< q)
            var d = (q - vz) * vs - x
            d.replace(with: -d, where: d .< v0)
            let d2 = (d * d).replacing(with: v0, where: d .< floor)
            let isSmall = d .< quarter, isLarge = d .> half
            small += d2.replacing(with: v0, where: .!isSmall)
            large += d2.replacing(with: v0, where: .!isLarge)
            middle += d2.replacing(with: v0, where: isSmall .| isLarge)
            nSmall &+= one.replacing(with: none, where: .!isSmall)
            nLarge &+= one.replacing(with: none, where: .!isLarge)
            i += 8
            if i % Self.boundStride == 0 || (i < Self.boundStride && i >= 128 && i & (i - 1) == 0) {
                let (s, k) = totals(i)
                let b = bound(s, k)
                if b >= stopAt { return b }
            }
        }
        // The tail one value at a time, by the same scalar operations.
        var (sums, counts) = totals(i)
        while i < n {
            let x = p[i]
            var q = (x / scale).rounded(.toNearestOrEven) + zero
            if 0 >= q { q = 0 }
            if qmax < q { q = qmax }
            var d = (q - zero) * scale - x
            if d < 0 { d = -d }
            let g = d < scale * 0.25 ? 0 : d > scale * 0.5 ? 2 : 1
            sums[g] += d < Self.boundFloor ? 0 : d * d
            counts[g] += 1
            i += 1
        }
        return bound(sums, counts)
    }
}
