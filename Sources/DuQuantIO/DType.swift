/// The element type of a stored tensor.
///
/// The four floating-point types the explorer converts to `Float` have their own cases; anything
/// else a file declares (integers, FP8, booleans, …) is kept as `.unsupported(name)` so the tensor can
/// still be listed, and loading it fails with a clear error.
public enum DType: Sendable, Hashable, CustomStringConvertible {
    /// IEEE half precision.
    case f16
    /// bfloat16: the upper 16 bits of an IEEE single.
    case bf16
    /// IEEE single precision.
    case f32
    /// IEEE double precision.
    case f64
    /// A type the file declares that cannot be converted; carries the file's own name for it.
    case unsupported(String)

    /// Bytes per element for the supported types; nil for unsupported ones.
    public var byteSize: Int? {
        switch self {
        case .f16, .bf16: return 2
        case .f32: return 4
        case .f64: return 8
        case .unsupported: return nil
        }
    }

    /// Whether tensors of this type can be loaded as `Float`.
    public var isSupported: Bool { byteSize != nil }

    /// The safetensors spelling (`F16`, `BF16`, `F32`, `F64`) or the file's own name.
    public var name: String {
        switch self {
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .f32: return "F32"
        case .f64: return "F64"
        case .unsupported(let raw): return raw
        }
    }

    /// The same as ``name``: `F16`, `BF16`, `F32`, `F64` or the file's own spelling.
    public var description: String { name }
}
