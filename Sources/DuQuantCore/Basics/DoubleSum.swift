/// Double-precision sums of Float data with four independent accumulators (vectorisable).
package enum DoubleSum {
    /// `Σ x` over `p[range]`.
    @inline(__always)
    package static func sum(_ p: UnsafePointer<Float>, _ range: Range<Int>) -> Double {
        var acc = SIMD4<Double>(repeating: 0)
        var i = range.lowerBound
        while i + 4 <= range.upperBound {
            acc += SIMD4<Double>(Double(p[i]), Double(p[i + 1]), Double(p[i + 2]), Double(p[i + 3]))
            i += 4
        }
        var s = acc.sum()
        while i < range.upperBound { s += Double(p[i]); i += 1 }
        return s
    }

    /// `Σ (a − b)²` and `Σ b²` over `range`, differences taken in Double.
    @inline(__always)
    package static func squaredError(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ range: Range<Int>)
        -> (error: Double, reference: Double) {
        var e = SIMD4<Double>(repeating: 0), r = SIMD4<Double>(repeating: 0)
        var i = range.lowerBound
        while i + 4 <= range.upperBound {
            let av = SIMD4<Double>(Double(a[i]), Double(a[i + 1]), Double(a[i + 2]), Double(a[i + 3]))
            let bv = SIMD4<Double>(Double(b[i]), Double(b[i + 1]), Double(b[i + 2]), Double(b[i + 3]))
            let d = av - bv
            e += d * d
            r += bv * bv
            i += 4
        }
        var es = e.sum(), rs = r.sum()
        while i < range.upperBound {
            let bv = Double(b[i])
            let d = Double(a[i]) - bv
            es += d * d
            rs += bv * bv
            i += 1
        }
        return (es, rs)
    }
}
