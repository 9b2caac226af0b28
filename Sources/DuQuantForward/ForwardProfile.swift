import Synchronization

/// Where a forward pass spends its time, summed over the passes that report into it: the linear products,
/// the transforms and quantizers of quantized layers, attention, the rest of a block (norms, rotary, SiLU,
/// residuals), the head's log-likelihood, and the calibrations a live session runs.
///
/// ```swift
/// let profile = ForwardProfile()
/// _ = session.run(linears, profile: profile)
/// print(profile.lines())   // "linear products 3.1 s", …
/// ```
public final class ForwardProfile: Sendable {
    /// The parts a pass is split into.
    public enum Part: String, Sendable, CaseIterable {
        case calibration = "calibrate transforms"
        case prepare = "prepare quantized weights"
        case linear = "linear products (double)"
        case quantize = "transforms + quantizers of activations"
        case attention = "attention (double)"
        case other = "norms, rotary, SiLU, residual"
        case head = "head 49152-wide logits + log-softmax"
    }

    private let seconds = Mutex<[Part: Double]>([:])
    private let clock = ContinuousClock()

    /// An empty profile.
    public init() {}

    /// Runs `body`, adding its wall time to `part`.
    public func measure<T>(_ part: Part, _ body: () throws -> T) rethrows -> T {
        let start = clock.now
        defer {
            let d = clock.now - start
            let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            seconds.withLock { $0[part, default: 0] += s }
        }
        return try body()
    }

    /// Seconds spent in `part`.
    public func total(_ part: Part) -> Double { seconds.withLock { $0[part] ?? 0 } }

    /// The parts with time in them, in the order of ``Part``, with their seconds.
    public var parts: [(Part, Double)] {
        let s = seconds.withLock { $0 }
        return Part.allCases.compactMap { p in s[p].map { (p, $0) } }
    }

    /// Forgets every figure.
    public func reset() { seconds.withLock { $0 = [:] } }
}

extension Optional where Wrapped == ForwardProfile {
    /// `body` timed into the profile when there is one.
    @inline(__always)
    func measure<T>(_ part: ForwardProfile.Part, _ body: () throws -> T) rethrows -> T {
        guard let p = self else { return try body() }
        return try p.measure(part, body)
    }
}
