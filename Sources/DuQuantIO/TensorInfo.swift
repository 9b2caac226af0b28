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

    public init(name: String, dtype: DType, shape: [Int], byteCount: Int) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.byteCount = byteCount
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
