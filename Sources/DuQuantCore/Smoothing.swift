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
        let ax = ChannelStats.maxAbs(x), aw = ChannelStats.maxAbs(w)
        return (0..<x.cols).map { j in
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
        var out = self
        out.storage.withUnsafeMutableBufferPointer { buf in
            for r in 0..<rows { for c in 0..<cols { buf[r * cols + c] /= s[c] } }
        }
        return out
    }

    /// Each column `j` multiplied by `s[j]` (weights: `W·s`).
    public func multiplyingColumns(by s: [Float]) -> Matrix {
        precondition(s.count == cols)
        var out = self
        out.storage.withUnsafeMutableBufferPointer { buf in
            for r in 0..<rows { for c in 0..<cols { buf[r * cols + c] *= s[c] } }
        }
        return out
    }

    /// Columns gathered in the order `perm`: `out[:, i] = self[:, perm[i]]`.
    public func gatheringColumns(_ perm: [Int]) -> Matrix {
        precondition(perm.count == cols)
        var out = Matrix(rows: rows, cols: cols)
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    let base = r * cols
                    for i in 0..<cols { dst[base + i] = src[base + perm[i]] }
                }
            }
        }
        return out
    }
}
