/// Which channel a greedy rotation step moves into the uniform row.
public enum Selection: String, CaseIterable, Sendable {
    /// The paper's rule: the channel holding the largest |value|.
    case paper
    /// The official code's rule: the ROW index `r` of the arg-extreme in the reshaped
    /// (tokens·K × block) matrix, taken `r mod block`.
    case reference
}

/// How rotations are searched across blocks of channels.
public enum RotationLayout: String, CaseIterable, Sendable {
    /// Each block its own rotation (the paper).
    case perblock
    /// One rotation for all blocks, searched over the reshaped (tokens·K × block) matrix (the official code).
    case shared
}

/// The stages of the DuQuant pipeline, in order: each one's activation is kept in a calibration.
public enum Stage: Int, CaseIterable, Sendable {
    case original, smoothed, rotation1, permutation, rotation2, quantError
}

/// A quantization method compared side by side.
///
/// `hadamard` is the block Hadamard rotation (the baseline inside the official DuQuant code); `quarot` a
/// QuaRot-style randomized Hadamard over the whole input dimension (its rotation only: no GPTQ, no online
/// rotations of attention or the KV cache). Each has its own settings: ``QuantParams/settings(for:)``.
public enum Method: String, CaseIterable, Sendable, Comparable {
    case rtn, smoothquant, hadamard, quarot, duquant

    /// Orders methods as `allCases` lists them: rtn, smoothquant, hadamard, quarot, duquant.
    public static func < (a: Method, b: Method) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Display name.
    public var title: String {
        switch self {
        case .rtn: "RTN"
        case .smoothquant: "SmoothQuant"
        case .hadamard: "block Hadamard"
        case .quarot: "QuaRot-style"
        case .duquant: "DuQuant"
        }
    }

    /// What the method does and leaves out, one line (help overlay, `report`, docs).
    public var help: String {
        switch self {
        case .rtn: "round-to-nearest per token / per output channel, no transform"
        case .smoothquant: "per-channel scales move the activations' outliers into the weight, nothing else"
        case .hadamard: "normalised Sylvester Hadamard per block of channels, no smoothing (DuQuant code's baseline)"
        case .quarot:
            "randomized Hadamard over all channels (±1 signs from the seed), weights RTN with a searched clip; "
                + "no GPTQ, no online attention/KV rotations"
        case .duquant: "smoothing, greedy block rotations, zigzag permutation, second rotation (the paper)"
        }
    }
}

/// Every knob of the quantization pipeline, with the paper's defaults.
public struct QuantParams: Sendable, Hashable {
    /// Activation bits (per token).
    public var abits = 4
    /// Weight bits (per output channel).
    public var wbits = 4
    /// Rotation block size.
    public var block = 128
    /// Upper bound on greedy steps per rotation.
    public var steps = 256
    /// An explicit approximation, off (0) by default: stop a greedy search after this many steps
    /// without a lower range (max − min). The kept prefix may then differ from the exact search's.
    public var patience = 0
    /// Rotation + permutation rounds before the last rotation.
    public var permTimes = 1
    /// DuQuant's smoothing strength α (the official code's 0.6).
    public var alpha: Float = 0.6
    /// SmoothQuant's migration strength α (its paper's default 0.5).
    public var sqAlpha: Float = 0.5
    /// Every method under DuQuant's α, `lac` and `swc` instead of each its own authors' settings.
    public var sameSettings = false
    /// Weight rows' clip ratio searched (QuaRot's `--w_clip`); set by ``resolved(for:)``, not a knob.
    public var searchesWeightClip = false
    /// Apply smoothing before the rotations (needs the weight).
    public var smooth = true
    /// Activation clip ratio.
    public var lac: Float = 0.9
    /// Weight clip ratio.
    public var swc: Float = 0.8
    /// Seed of the random orthogonal completions.
    public var seed: UInt64 = 0
    /// Greedy selection rule.
    public var select: Selection = .paper
    /// Rotation layout.
    public var layout: RotationLayout = .perblock
    /// Symmetric weight quantization instead of asymmetric (the official code's `--symmetric`, which
    /// applies to weights only).
    public var weightSymmetric = false
    /// Symmetric activation quantization: not in the official code, which quantizes activations
    /// asymmetrically always; offered to see what it costs.
    public var actSymmetric = false

    /// The paper's defaults: W4A4, block 128, 256 steps, one permutation, α 0.6, lac 0.9, swc 0.8, seed 0.
    public init() {}

    /// The activation quantizer these parameters describe.
    public var activationQuantizer: FakeQuantizer { FakeQuantizer(bits: abits, clip: lac, symmetric: actSymmetric) }
    /// The weight quantizer these parameters describe.
    public var weightQuantizer: FakeQuantizer {
        FakeQuantizer(bits: wbits, clip: swc, symmetric: weightSymmetric, searchClip: searchesWeightClip)
    }

    /// The subset that decides the DuQuant transform (a change here needs a new calibration).
    public var calibrationKey: CalibrationKey {
        CalibrationKey(block: block, steps: steps, patience: patience, permTimes: permTimes, alpha: alpha,
                       smooth: smooth, seed: seed, select: select, layout: layout)
    }
}

/// The parameters that decide the DuQuant transform; bits and clipping are not among them.
public struct CalibrationKey: Sendable, Hashable {
    /// Rotation block size (``QuantParams/block``).
    public var block: Int
    /// Upper bound on greedy steps per rotation (``QuantParams/steps``).
    public var steps: Int
    /// Steps without a lower range (max − min) before a search stops, 0 = exact (``QuantParams/patience``).
    public var patience: Int
    /// Rotation + permutation rounds before the last rotation (``QuantParams/permTimes``).
    public var permTimes: Int
    /// DuQuant's smoothing strength α (``QuantParams/alpha``).
    public var alpha: Float
    /// Whether smoothing precedes the rotations (``QuantParams/smooth``).
    public var smooth: Bool
    /// Seed of the random orthogonal completions (``QuantParams/seed``).
    public var seed: UInt64
    /// Greedy selection rule (``QuantParams/select``).
    public var select: Selection
    /// One rotation per block or one shared by all blocks (``QuantParams/layout``).
    public var layout: RotationLayout
}
