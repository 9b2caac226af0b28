import DuQuantCompute
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SmoothQuant-style per-channel smoothing, migrating activation outliers into the weight.
///
/// `s_j = max_t|X_tj|^α / max_o|W_oj|^(1−α)` (both maxima clamped ≥ 1e-5, `s` clamped ≥ 1e-5 and then
/// raised to at least 1e-2); the layer becomes `(X/s)(W·s)ᵀ`, which equals `X Wᵀ`.
public enum Smoothing {
    /// Per-input-channel smoothing scales for activation `x` and weight `w`.
    public static func scales(x: Matrix, w: Matrix, alpha: Float) -> [Float] {
        precondition(x.cols == w.cols)
        return scales(xMax: ChannelStats.maxAbs(x), w: w, alpha: alpha)
    }

    /// The scales from the activation's per-channel max |x| (``ChannelStats/maxAbs(_:)``; a max, so a
    /// sharded calibration reduces its shards' maxima to the same numbers).
    public static func scales(xMax ax: [Float], w: Matrix, alpha: Float) -> [Float] {
        precondition(ax.count == w.cols)
        let aw = ChannelStats.maxAbs(w)
        return (0..<w.cols).map { j in
            let a = Swift.max(ax[j], 1e-5), b = Swift.max(aw[j], 1e-5)
            var s = powf(a, alpha) / powf(b, 1 - alpha)
            s = Swift.max(s, 1e-5)
            return s < 1e-2 ? 1e-2 : s
        }
    }
}

extension Matrix {
    /// Each column `j` divided by `s[j]` (activations: `X/s`).
    public func dividingColumns(by s: [Float]) -> Matrix {
        precondition(s.count == cols)
        // Division, not multiplication by 1/s: the same numbers as the element-by-element formula.
        return mapColumns(s) { $0 / $1 } scalar: { $0 / $1 }
    }

    /// Each column `j` multiplied by `s[j]` (weights: `W·s`).
    public func multiplyingColumns(by s: [Float]) -> Matrix {
        precondition(s.count == cols)
        return mapColumns(s) { $0 * $1 } scalar: { $0 * $1 }
    }

    /// `out[r, c] = f(self[r, c], s[c])`, eight lanes at a time, rows on the cores.
    @inline(__always)
    func mapColumns(_ s: [Float], _ f: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>,
                    scalar g: (Float, Float) -> Float) -> Matrix {
        let (rows, cols) = (self.rows, self.cols)
        guard rows > 0, cols > 0 else { return self }
        let storage = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            self.storage.withUnsafeBufferPointer { src in
                s.withUnsafeBufferPointer { sb in
                    nonisolated(unsafe) let x = src.baseAddress!, d = out.baseAddress!, sv = sb.baseAddress!
                    HugePages.advise(out.baseAddress!, count: out.count)
                    withoutActuallyEscaping(f) { f in
                        withoutActuallyEscaping(g) { g in
                            nonisolated(unsafe) let (f, g) = (f, g)
                            ParallelRows.forEach(rows: rows, cols: cols) { range in
                                for r in range {
                                    let a = x + r * cols, o = d + r * cols
                                    var c = 0
                                    while c + 8 <= cols {
                                        let v = f(UnsafeRawPointer(a + c).loadUnaligned(as: SIMD8<Float>.self),
                                                  UnsafeRawPointer(sv + c).loadUnaligned(as: SIMD8<Float>.self))
                                        UnsafeMutableRawPointer(o + c).storeBytes(of: v, as: SIMD8<Float>.self)
                                        c += 8
                                    }
                                    while c < cols { o[c] = g(a[c], sv[c]); c += 1 }
                                }
                            }
                        }
                    }
                }
            }
            initialized = count
        }
        return Matrix(rows: rows, cols: cols, storage: storage)
    }

    /// Columns gathered in the order `perm`: `out[:, i] = self[:, perm[i]]` (rows on the cores).
    public func gatheringColumns(_ perm: [Int]) -> Matrix {
        precondition(perm.count == cols)
        let (rows, cols) = (self.rows, self.cols)
        guard rows > 0, cols > 0 else { return self }
        let idx = perm.map { Int32($0) }
        let storage = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            self.storage.withUnsafeBufferPointer { src in
                idx.withUnsafeBufferPointer { ib in
                    nonisolated(unsafe) let x = src.baseAddress!, d = out.baseAddress!, ip = ib.baseAddress!
                    HugePages.advise(out.baseAddress!, count: out.count)
                    ParallelRows.forEach(rows: rows, cols: cols) { range in
                        for r in range {
                            let a = x + r * cols, o = d + r * cols
                            for i in 0..<cols { o[i] = a[Int(ip[i])] }
                        }
                    }
                }
            }
            initialized = count
        }
        return Matrix(rows: rows, cols: cols, storage: storage)
    }
}
