#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DuQuantCore

/// The operations of a Llama forward pass between the linear layers, on float32 tensors with double
/// arithmetic inside, each rounded to float32 once — the arithmetic of `tools/eval/llama_forward.py`.
///
/// Norms, the softmax, SiLU and the attention products are computed in double and rounded once, so the
/// result is the float32 nearest the exact value whichever BLAS kernel summed it (docs/DECISIONS.md,
/// "output products in double"); the rotary positions are float32 products and sums, as NumPy does them.
public enum LlamaForward {
    /// `x / √(mean(x²) + eps) · w` per row, in double, rounded once.
    public static func rmsNorm(_ x: Matrix, _ w: [Float], eps: Double) -> Matrix {
        precondition(w.count == x.cols)
        var out = Matrix(rows: x.rows, cols: x.cols)
        let n = x.cols
        x.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for r in 0..<x.rows {
                    let p = src.baseAddress! + r * n, o = dst.baseAddress! + r * n
                    var s = 0.0
                    for i in 0..<n { let v = Double(p[i]); s += v * v }
                    let root = (s / Double(n) + eps).squareRoot()
                    for i in 0..<n { o[i] = Float(Double(p[i]) / root * Double(w[i])) }
                }
            }
        }
        return out
    }

    /// Cosines and sines of the rotary angles (tokens × headDim/2), float32 as NumPy rounds them.
    public struct Rotary: Sendable {
        /// Half the head width.
        public let half: Int
        /// `cos(t·θᵢ)` for token t (row) and frequency i.
        public let cos: [Float]
        /// `sin(t·θᵢ)`.
        public let sin: [Float]

        /// The tables for `tokens` positions of heads `headDim` wide with base `theta`.
        public init(tokens: Int, headDim: Int, theta: Double) {
            half = headDim / 2
            var c = [Float](repeating: 0, count: tokens * half), s = c
            for i in 0..<half {
                let inv = 1.0 / pow(theta, Double(i) * 2.0 / Double(headDim))
                for t in 0..<tokens {
                    let a = Double(t) * inv
                    c[t * half + i] = Float(Glibc.cos(a))
                    s[t * half + i] = Float(Glibc.sin(a))
                }
            }
            cos = c
            sin = s
        }

        /// Rotates every head of `x` (tokens × heads·headDim) in place: the Hugging Face convention,
        /// `x·cos + rotate_half(x)·sin` with `rotate_half(x) = [−x₂, x₁]`.
        public func apply(_ x: inout Matrix, heads: Int) {
            let hd = 2 * half, cols = x.cols
            precondition(cols == heads * hd && x.rows * half <= cos.count)
            x.storage.withUnsafeMutableBufferPointer { buf in
                for t in 0..<x.rows {
                    for h in 0..<heads {
                        let p = buf.baseAddress! + t * cols + h * hd
                        for i in 0..<half {
                            let c = cos[t * half + i], s = sin[t * half + i]
                            let a = p[i], b = p[i + half]
                            // Two float32 products and a float32 sum each, as NumPy evaluates them (no FMA).
                            let first = a * c, firstRot = -b * s
                            let second = b * c, secondRot = a * s
                            p[i] = first + firstRot
                            p[i + half] = second + secondRot
                        }
                    }
                }
            }
        }
    }

    /// Causal grouped-query attention: softmax(q kᵀ/√d + mask) v per head, in double, rounded once.
    /// `q` is tokens × heads·d, `k` and `v` tokens × kvHeads·d; the result tokens × heads·d.
    public static func attention(q: Matrix, k: Matrix, v: Matrix, heads: Int, kvHeads: Int, headDim d: Int) -> Matrix {
        let t = q.rows, rep = heads / kvHeads
        var out = Matrix(rows: t, cols: heads * d)
        let qh = UnsafeMutablePointer<Double>.allocate(capacity: t * d)
        let kh = UnsafeMutablePointer<Double>.allocate(capacity: t * d)
        let vh = UnsafeMutablePointer<Double>.allocate(capacity: t * d)
        let s = UnsafeMutablePointer<Double>.allocate(capacity: t * t)
        let o = UnsafeMutablePointer<Double>.allocate(capacity: t * d)
        defer { qh.deallocate(); kh.deallocate(); vh.deallocate(); s.deallocate(); o.deallocate() }
        let root = Double(d).squareRoot()
        func gather(_ m: Matrix, _ head: Int, into dst: UnsafeMutablePointer<Double>) {
            m.storage.withUnsafeBufferPointer { src in
                for r in 0..<t { for j in 0..<d { dst[r * d + j] = Double(src[r * m.cols + head * d + j]) } }
            }
        }
        for h in 0..<heads {
            gather(q, h, into: qh)
            if h % rep == 0 { gather(k, h / rep, into: kh); gather(v, h / rep, into: vh) }
            BLAS.dgemm(m: t, n: t, k: d, a: qh, lda: d, b: kh, ldb: d, transB: true, c: s, ldc: t)
            for i in 0..<t {
                let row = s + i * t
                var top = -Double.infinity
                for j in 0...i { row[j] /= root; if row[j] > top { top = row[j] } }
                var sum = 0.0
                for j in 0...i { row[j] = exp(row[j] - top); sum += row[j] }
                for j in 0...i { row[j] /= sum }
                for j in (i + 1)..<t { row[j] = 0 }
            }
            BLAS.dgemm(m: t, n: d, k: t, a: s, lda: t, b: vh, ldb: d, c: o, ldc: d)
            out.storage.withUnsafeMutableBufferPointer { dst in
                for r in 0..<t { for j in 0..<d { dst[r * heads * d + h * d + j] = Float(o[r * d + j]) } }
            }
        }
        return out
    }

    /// `SiLU(g)·u = g/(1 + e^−g)·u` elementwise, in double, rounded once.
    public static func swiglu(_ g: Matrix, _ u: Matrix) -> Matrix {
        precondition(g.rows == u.rows && g.cols == u.cols)
        var out = Matrix(rows: g.rows, cols: g.cols)
        for i in 0..<g.count {
            let x = Double(g.storage[i])
            out.storage[i] = Float(x / (1.0 + exp(-x)) * Double(u.storage[i]))
        }
        return out
    }

    /// `a + b` elementwise in float32 (the residual stream).
    public static func add(_ a: inout Matrix, _ b: Matrix) {
        precondition(a.rows == b.rows && a.cols == b.cols)
        for i in 0..<a.count { a.storage[i] += b.storage[i] }
    }

    /// The rows `ids` of the embedding.
    public static func embed(_ ids: [Int], _ embedding: Matrix) -> Matrix {
        embedding.gatheringRows(ids)
    }

    /// exp(mean NLL) of `ids[1...]` given their prefixes, from the final hidden states (already normed)
    /// and the head; the logits are the double product rounded to float32, then the log-softmax in double.
    public static func negativeLogLikelihood(hidden: Matrix, head: Matrix, ids: [Int]) -> Double {
        precondition(hidden.rows == ids.count && ids.count >= 2)
        let rows = ids.count - 1, vocab = head.rows
        var total = 0.0
        // Logits 128 rows at a time: a bounded buffer whatever the text's length.
        let chunk = 128
        var r0 = 0
        var logits = [Float](repeating: 0, count: min(chunk, rows) * vocab)
        while r0 < rows {
            let n = min(chunk, rows - r0)
            hidden.storage.withUnsafeBufferPointer { a in
                head.storage.withUnsafeBufferPointer { b in
                    logits.withUnsafeMutableBufferPointer { c in
                        _ = BLAS.gemmInDouble(m: n, n: vocab, k: hidden.cols, a: a.baseAddress! + r0 * hidden.cols, lda: hidden.cols,
                                              b: b.baseAddress!, ldb: head.cols, c: c.baseAddress!, ldc: vocab)
                    }
                }
            }
            for r in 0..<n {
                let z = logits[(r * vocab)..<((r + 1) * vocab)]
                var top = -Double.infinity
                for x in z where Double(x) > top { top = Double(x) }
                var sum = 0.0
                for x in z { sum += exp(Double(x) - top) }
                total -= (Double(z[z.startIndex + ids[r0 + r + 1]]) - top) - log(sum)
            }
            r0 += n
        }
        return total / Double(rows)
    }
}
