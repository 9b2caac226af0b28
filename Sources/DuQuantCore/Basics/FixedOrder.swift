/// Products in one fixed order, by this package's own loops: the same bits on every CPU.
///
/// BLAS picks its kernel at run time (OpenBLAS's "core": Haswell, SkylakeX, Zen…) and each kernel sums
/// in its own order, with or without fused multiply-adds, and differently for other thread counts; its
/// results differ in the last bits from machine to machine. These loops are compiled once, into the
/// binary every machine runs: every output element is the same sequence of fused multiply-adds (one
/// rounding each, index ascending), whatever the vector width, the blocking or the thread, so the result
/// is a function of the inputs alone. (The binary is built for Haswell and later, which all have FMA:
/// Package.swift.) They serve where the bits must not depend on the machine (``ScreenedChoice``): the
/// exact values that decide near-ties, in Double; the rotation a search keeps, in Double; and every block
/// rotation of a transform, in Float, so the quantizers round the same values everywhere.
///
/// ```swift
/// FixedOrder.rowTimes(y, b, n: 128, out)   // out = y · b, the same bits everywhere
/// ```
public enum FixedOrder {
    /// `out = y · b` for a row `y` of `n` values and a row-major `n × n` matrix `b`:
    /// `out[j] = Σ_l y[l]·b[l, j]`, one fused multiply-add per term for `l = 0, 1, …, n−1` in that order.
    ///
    /// Each lane of the vector loop does exactly the scalar operations of its column, so the width of the
    /// vectors cannot change a bit.
    @inline(__always)
    public static func rowTimes(_ y: UnsafePointer<Double>, _ b: UnsafePointer<Double>, n: Int,
                                _ out: UnsafeMutablePointer<Double>) {
        out.update(repeating: 0, count: n)
        let raw = UnsafeMutableRawPointer(out)
        for l in 0..<n {
            let s = y[l], v = SIMD4<Double>(repeating: s)
            let row = UnsafeRawPointer(b + l * n)
            var j = 0
            while j + 4 <= n {
                let acc = raw.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
                let bj = row.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
                raw.storeBytes(of: acc.addingProduct(v, bj), toByteOffset: j * 8, as: SIMD4<Double>.self)
                j += 4
            }
            while j < n {
                out[j] = out[j].addingProduct(s, b[l * n + j])
                j += 1
            }
        }
    }

    /// One greedy step on a row: `y ← y · swap(B, 0, d)` where `swap` exchanges rows and columns 0 and
    /// `d` of `b` (`n × n`, row-major); `scratch` holds `n` values.
    public static func greedyStep(_ y: UnsafeMutablePointer<Double>, base b: UnsafePointer<Double>, n: Int,
                                  channel d: Int, scratch: UnsafeMutablePointer<Double>) {
        // y·(P B P) = ((y P) · B) P, P the exchange of 0 and d.
        y.swapAt(0, d)
        rowTimes(y, b, n: n, scratch)
        y.update(from: scratch, count: n)
        y.swapAt(0, d)
    }

    /// A row `y` (n values) taken through the greedy steps `chosen` of `base` (n × n), one
    /// ``greedyStep(_:base:n:channel:scratch:)`` each: the exact row the decisions use.
    public static func greedySteps(_ y: [Double], base: [Double], chosen: some Sequence<Int>) -> [Double] {
        let n = y.count
        var y = y, scratch = [Double](repeating: 0, count: n)
        y.withUnsafeMutableBufferPointer { yp in
            scratch.withUnsafeMutableBufferPointer { sc in
                base.withUnsafeBufferPointer { b in
                    for d in chosen {
                        greedyStep(yp.baseAddress!, base: b.baseAddress!, n: n, channel: d, scratch: sc.baseAddress!)
                    }
                }
            }
        }
        return y
    }

    /// `a · b` of row-major `n × n` matrices, row by row with ``rowTimes(_:_:n:_:)``.
    public static func product(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
        precondition(a.count == n * n && b.count == n * n)
        var out = [Double](repeating: 0, count: n * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    for i in 0..<n { rowTimes(pa.baseAddress! + i * n, pb.baseAddress!, n: n, po.baseAddress! + i * n) }
                }
            }
        }
        return out
    }
}

extension UnsafeMutablePointer {
    /// Exchanges the elements at offsets `i` and `j`.
    @inline(__always)
    func swapAt(_ i: Int, _ j: Int) {
        guard i != j else { return }
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
