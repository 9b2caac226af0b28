import DuQuantCore

/// Bits of weights and activations for a model-level figure: `W4A4`, `W4A16` (16: not quantized),
/// `W8A8-noclip` (clip ratios ignored, lac = swc = 1).
///
/// The quantizers are the method's own (``QuantParams/resolved(for:)``: its lac, swc, symmetry and weight
/// clip search) with these bits, so every method and bit setting the explorer offers has its figure.
///
/// ```swift
/// let s = try QuantSetting(parsing: "W4A16")
/// let (w, a) = s.quantizers(params, .duquant)   // a == nil: activations stay float
/// ```
public struct QuantSetting: Sendable, Hashable, CustomStringConvertible {
    /// Weight bits, nil = not quantized.
    public var weightBits: Int?
    /// Activation bits, nil = not quantized.
    public var activationBits: Int?
    /// Whether the clip ratios apply.
    public var clip: Bool

    /// A setting from its parts.
    public init(weightBits: Int?, activationBits: Int?, clip: Bool = true) {
        self.weightBits = weightBits
        self.activationBits = activationBits
        self.clip = clip
    }

    /// `W<b>A<b>` with bits 2…8 or 16 (not quantized), optionally `-noclip`.
    public init(parsing text: String) throws(ForwardError) {
        var t = Substring(text.uppercased())
        var clip = true
        if t.hasSuffix("-NOCLIP") { clip = false; t = t.dropLast(7) }
        guard t.first == "W", let a = t.firstIndex(of: "A"), let w = Int(t[t.index(after: t.startIndex)..<a]),
              let x = Int(t[t.index(after: a)...]) else {
            throw ForwardError("setting '\(text)': expected W<bits>A<bits>[-noclip], e.g. W4A4, W4A16, W8A8-noclip")
        }
        func bits(_ b: Int) throws(ForwardError) -> Int? {
            if b == 16 { return nil }
            guard (2...8).contains(b) else { throw ForwardError("setting '\(text)': bits must be 2…8, or 16 (not quantized)") }
            return b
        }
        self.init(weightBits: try bits(w), activationBits: try bits(x), clip: clip)
    }

    /// `W4A4`, `W4A16`, `W8A8 no clip`: the name the results use.
    public var description: String {
        "W\(weightBits ?? 16)A\(activationBits ?? 16)" + (clip ? "" : " no clip")
    }

    /// The weight and activation quantizers of `method` under `p` at these bits (nil: not quantized).
    public func quantizers(_ p: QuantParams, _ method: Method) -> (weight: FakeQuantizer?, activation: FakeQuantizer?) {
        let r = p.resolved(for: method)
        let w = weightBits.map { FakeQuantizer(bits: $0, clip: clip ? r.swc : 1, symmetric: r.weightSymmetric, searchClip: r.searchesWeightClip) }
        let a = activationBits.map { FakeQuantizer(bits: $0, clip: clip ? r.lac : 1, symmetric: r.actSymmetric) }
        return (w, a)
    }
}
