/// Register-blocked products in fixed order: each output element is `Σ_l a[i, l]·b[l, j]` added for
/// `l = 0, 1, …` in that order, one fused multiply-add (one rounding) per term, whatever the blocking, the
/// vector width or the thread that computes it.
extension FixedOrder {
    /// `c[i, :] = a[i, :] · b` for `rows` rows: `a` has leading dimension `lda` (k values used per row),
    /// `b` is `k × n` row-major, `c` has leading dimension `ldc`. Float accumulation.
    public static func multiply(rows: Int, k: Int, n: Int, a: UnsafePointer<Float>, lda: Int,
                                b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int) {
        var i = 0
        while i + 4 <= rows {
            multiplyRows4(k: k, n: n, a: a + i * lda, lda: lda, b: b, c: c + i * ldc, ldc: ldc)
            i += 4
        }
        while i < rows {
            multiplyRow(k: k, n: n, a: a + i * lda, b: b, c: c + i * ldc)
            i += 1
        }
    }

    @inline(__always)
    private static func multiplyRows4(k: Int, n: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                                      c: UnsafeMutablePointer<Float>, ldc: Int) {
        let rb = UnsafeRawPointer(b)
        var j = 0
        while j + 16 <= n {
            var c0 = SIMD16<Float>(repeating: 0), c1 = c0, c2 = c0, c3 = c0
            var pb = rb + j &* 4, a0 = a, a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda
            let stride = n &* 4
            for _ in 0..<k {
                let v = pb.loadUnaligned(as: SIMD16<Float>.self)
                c0.addProduct(SIMD16(repeating: a0.pointee), v)
                c1.addProduct(SIMD16(repeating: a1.pointee), v)
                c2.addProduct(SIMD16(repeating: a2.pointee), v)
                c3.addProduct(SIMD16(repeating: a3.pointee), v)
                pb += stride
                a0 += 1; a1 += 1; a2 += 1; a3 += 1
            }
            let rc = UnsafeMutableRawPointer(c)
            rc.storeBytes(of: c0, toByteOffset: j * 4, as: SIMD16<Float>.self)
            rc.storeBytes(of: c1, toByteOffset: (ldc + j) * 4, as: SIMD16<Float>.self)
            rc.storeBytes(of: c2, toByteOffset: (2 * ldc + j) * 4, as: SIMD16<Float>.self)
            rc.storeBytes(of: c3, toByteOffset: (3 * ldc + j) * 4, as: SIMD16<Float>.self)
            j += 16
        }
        if j < n {
            for r in 0..<4 { multiplyTail(from: j, k: k, n: n, a: a + r * lda, b: b, c: c + r * ldc) }
        }
    }

    @inline(__always)
    private static func multiplyRow(k: Int, n: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                    c: UnsafeMutablePointer<Float>) {
        let rb = UnsafeRawPointer(b)
        var j = 0
        while j + 16 <= n {
            var c0 = SIMD16<Float>(repeating: 0)
            for l in 0..<k {
                c0.addProduct(SIMD16(repeating: a[l]), rb.loadUnaligned(fromByteOffset: (l * n + j) * 4, as: SIMD16<Float>.self))
            }
            UnsafeMutableRawPointer(c).storeBytes(of: c0, toByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        if j < n { multiplyTail(from: j, k: k, n: n, a: a, b: b, c: c) }
    }

    /// Columns `from ..< n` of one row, one at a time, in the same order.
    @inline(__always)
    private static func multiplyTail(from j0: Int, k: Int, n: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                     c: UnsafeMutablePointer<Float>) {
        for j in j0..<n {
            var s: Float = 0
            for l in 0..<k { s.addProduct(a[l], b[l * n + j]) }
            c[j] = s
        }
    }

    /// `a · b` of row-major `n × n` double matrices (the composed rotation of a kept prefix), four rows and
    /// eight columns at a time.
    public static func multiply(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, n: Int,
                                _ c: UnsafeMutablePointer<Double>) {
        let rb = UnsafeRawPointer(b)
        var i = 0
        while i + 4 <= n {
            var j = 0
            while j + 8 <= n {
                var c0 = SIMD8<Double>(repeating: 0), c1 = c0, c2 = c0, c3 = c0
                // Pointers stepped with wrapping adds: no overflow check per term in the inner loop.
                var pb = rb + j &* 8, a0 = a + i &* n, a1 = a0 + n, a2 = a1 + n, a3 = a2 + n
                let stride = n &* 8
                for _ in 0..<n {
                    let v = pb.loadUnaligned(as: SIMD8<Double>.self)
                    c0.addProduct(SIMD8(repeating: a0.pointee), v)
                    c1.addProduct(SIMD8(repeating: a1.pointee), v)
                    c2.addProduct(SIMD8(repeating: a2.pointee), v)
                    c3.addProduct(SIMD8(repeating: a3.pointee), v)
                    pb += stride
                    a0 += 1; a1 += 1; a2 += 1; a3 += 1
                }
                let rc = UnsafeMutableRawPointer(c)
                rc.storeBytes(of: c0, toByteOffset: (i * n + j) * 8, as: SIMD8<Double>.self)
                rc.storeBytes(of: c1, toByteOffset: ((i + 1) * n + j) * 8, as: SIMD8<Double>.self)
                rc.storeBytes(of: c2, toByteOffset: ((i + 2) * n + j) * 8, as: SIMD8<Double>.self)
                rc.storeBytes(of: c3, toByteOffset: ((i + 3) * n + j) * 8, as: SIMD8<Double>.self)
                j += 8
            }
            for r in i..<(i + 4) {
                for jj in j..<n {
                    var s = 0.0
                    for l in 0..<n { s.addProduct(a[r * n + l], b[l * n + jj]) }
                    c[r * n + jj] = s
                }
            }
            i += 4
        }
        while i < n {
            rowTimes(a + i * n, b, n: n, c + i * n)
            i += 1
        }
    }

    /// The product of the exchanged stage rotations `swap(B, 0, d)` for `chosen`, in double (`base` is
    /// `B`, n × n): the rotation a search keeps, the same bits on every machine.
    public static func composed(base: [Double], n: Int, chosen: some Collection<Int>) -> [Double] {
        var r = [Double](repeating: 0, count: n * n), scratch = r
        for i in 0..<n { r[i * n + i] = 1 }
        for d in chosen {
            // R · (P B P) = ((R P) · B) P.
            r.swapColumns(0, d, width: n)
            r.withUnsafeBufferPointer { pa in
                base.withUnsafeBufferPointer { pb in
                    scratch.withUnsafeMutableBufferPointer { pc in multiply(pa.baseAddress!, pb.baseAddress!, n: n, pc.baseAddress!) }
                }
            }
            swap(&r, &scratch)
            r.swapColumns(0, d, width: n)
        }
        return r
    }
}
