/// What a dump says about one tensor, known without reading its data.
public struct TensorInfo: Sendable, Hashable {
    /// The tensor's name, e.g. `model.layers.0.self_attn.q_proj.input`.
    public var name: String
    /// The element type as stored.
    public var dtype: DType
    /// The shape as stored (row-major; empty for a scalar).
    public var shape: [Int]
    /// Bytes the data occupies in the file (uncompressed).
    public var byteCount: Int
    /// Why the tensor cannot be read (e.g. a malformed .npy member of an .npz), or nil when it can.
    ///
    /// Such a tensor is still listed, with an empty shape; loading it throws this problem, and a layer
    /// made from it carries it as its own `problem`, so the rest of the dump stays usable.
    public var problem: String?

    /// What a header declares for tensor `name`; a non-nil `problem` marks it unreadable.
    public init(name: String, dtype: DType, shape: [Int], byteCount: Int, problem: String? = nil) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.byteCount = byteCount
        self.problem = problem
    }

    /// A tensor that is listed but cannot be read, with the reason.
    static func unreadable(_ name: String, problem: String) -> TensorInfo {
        TensorInfo(name: name, dtype: .unsupported("unknown"), shape: [], byteCount: 0, problem: problem)
    }

    /// Number of elements (the product of `shape`; 1 for a scalar).
    ///
    /// Dumps are validated at open so this product cannot overflow.
    public var elementCount: Int { shape.reduce(1, *) }

    /// The shape seen as a matrix: leading dimensions flattened into rows, the last one is columns.
    ///
    /// A scalar is 1 × 1 and a vector of n elements is 1 × n.
    public var matrixShape: (rows: Int, cols: Int) {
        guard let last = shape.last else { return (1, 1) }
        return (shape.dropLast().reduce(1, *), last)
    }
}
