/// One method's own settings: its smoothing strength and clip ratios, as its authors set them.
///
/// - RTN and SmoothQuant: no clipping (lac = swc = 1); SmoothQuant α = 0.5 (its paper's default).
/// - block Hadamard and DuQuant: the official DuQuant code's lac 0.9 and swc 0.8; DuQuant smooths with α 0.6.
/// - QuaRot-style: QuaRot's RTN setting: activations unclipped (`--a_clip_ratio` 1.0), each weight row's
///   clip ratio searched (`--w_clip`: 1.00 … 0.21, least Σ|w − Q(w)|^2.4).
///
/// With ``QuantParams/sameSettings`` on, every method takes DuQuant's α (SmoothQuant), lac and swc.
///
/// ```swift
/// QuantParams().settings(for: .smoothquant).summary   // "α 0.50 · clip X 1.00 W 1.00"
/// ```
public struct MethodSettings: Sendable, Hashable {
    /// Smoothing strength, nil when the method does not smooth.
    public var alpha: Float?
    /// Activation clip ratio.
    public var lac: Float
    /// Weight clip ratio (before any search).
    public var swc: Float
    /// Weight rows' clip ratio searched (QuaRot's `--w_clip`).
    public var searchesWeightClip: Bool

    /// Memberwise; ``QuantParams/settings(for:)`` gives each method's actual settings.
    public init(alpha: Float?, lac: Float, swc: Float, searchesWeightClip: Bool) {
        self.alpha = alpha
        self.lac = lac
        self.swc = swc
        self.searchesWeightClip = searchesWeightClip
    }

    /// `α 0.50 · clip X 1.00 W 1.00`; `W search` for a searched weight clip.
    public var summary: String {
        (alpha.map { "α \(ParameterSpec.hundredths($0)) · " } ?? "")
            + "clip X \(ParameterSpec.hundredths(lac)) W \(searchesWeightClip ? "search" : ParameterSpec.hundredths(swc))"
    }

    /// `.9/.8`, `1/1`, `1/mse`: the clip ratios in a few characters (narrow table cells).
    public var compactClip: String {
        Self.compact(lac) + "/" + (searchesWeightClip ? "mse" : Self.compact(swc))
    }

    /// A ratio in 0…1 in as few characters as it takes: `.6`, `.65`, `1`, `0`.
    public static func compact(_ v: Float) -> String {
        let h = Int((v * 100).rounded())
        if h == 100 { return "1" }
        if h == 0 { return "0" }
        let digits = String(h < 10 ? "0\(h)" : "\(h)")
        return "." + (digits.hasSuffix("0") ? String(digits.dropLast()) : digits)
    }
}

extension QuantParams {
    /// The settings `method` runs with under these parameters.
    public func settings(for method: Method) -> MethodSettings {
        if sameSettings {
            return MethodSettings(alpha: method == .smoothquant || (method == .duquant && smooth) ? alpha : nil,
                                  lac: lac, swc: swc, searchesWeightClip: false)
        }
        switch method {
        case .rtn: return MethodSettings(alpha: nil, lac: 1, swc: 1, searchesWeightClip: false)
        case .smoothquant: return MethodSettings(alpha: sqAlpha, lac: 1, swc: 1, searchesWeightClip: false)
        case .hadamard: return MethodSettings(alpha: nil, lac: lac, swc: swc, searchesWeightClip: false)
        case .quarot: return MethodSettings(alpha: nil, lac: 1, swc: 1, searchesWeightClip: true)
        case .duquant: return MethodSettings(alpha: smooth ? alpha : nil, lac: lac, swc: swc, searchesWeightClip: false)
        }
    }

    /// These parameters with `method`'s settings in the shared fields (`alpha`, `lac`, `swc`): what the
    /// evaluation of that method reads.
    public func resolved(for method: Method) -> QuantParams {
        let s = settings(for: method)
        var q = self
        if method == .smoothquant, let a = s.alpha { q.alpha = a }
        q.lac = s.lac
        q.swc = s.swc
        q.searchesWeightClip = s.searchesWeightClip
        return q
    }
}
