import DuQuantCore

/// An opened activation dump: its tensors, the linear layers they form, and lazy access to the data.
///
/// Opening maps the file(s) read-only and validates every header and offset; no tensor data is read
/// until `loadTensor` or `loadLayer` asks for it. The object is immutable after opening, so loads may
/// run on any number of threads at once. The mapping is released when the last reference goes.
///
/// ```swift
/// let dump = try DumpFile.open("acts.safetensors")
/// for layer in dump.layers where layer.isLoadable {
///     let data = try dump.loadLayer(layer.name)   // input (and weight) as Float
/// }
/// ```
public final class DumpFile: Sendable {
    /// The path the dump was opened from.
    public let path: String
    /// What kind of file it is.
    public let format: DumpFormat
    /// Every tensor, in natural name order.
    public let tensors: [TensorInfo]
    /// Every layer, in natural name order (`layers.2` before `layers.10`).
    public let layers: [LayerInfo]
    /// The safetensors `__metadata__` (empty for other formats).
    public let metadata: [String: String]
    /// The sidecar beside the dump, if there is one and it parsed.
    public let sidecar: Sidecar?
    /// Problems that did not stop the dump from opening (a malformed sidecar or shared-inputs map).
    public let warnings: [DumpError]

    private let sources: [String: (info: TensorInfo, source: TensorSource)]
    private let layerIndex: [String: Int]

    init(path: String, format: DumpFormat, entries: [(TensorInfo, TensorSource)], metadata: [String: String],
         sidecar: Sidecar?, warnings: [DumpError]) {
        self.path = path
        self.format = format
        self.metadata = metadata
        self.sidecar = sidecar
        var sources: [String: (info: TensorInfo, source: TensorSource)] = [:]
        sources.reserveCapacity(entries.count)
        for (info, source) in entries { sources[info.name] = (info, source) }
        self.sources = sources
        // From file order (usually sorted already), not the dictionary's hash order; a repeated name keeps
        // its last entry (checked only when there is one).
        let unique = sources.count == entries.count ? entries.map(\.0) : entries.map(\.0).filter { sources[$0.name]?.info == $0 }
        self.tensors = NaturalOrder.sorted(unique, by: \.name)

        var warnings = warnings
        var shared = sidecar?.sharedInputs ?? [:]
        if let text = metadata[SharedInputs.metadataKey] {
            switch SharedInputs.parse(metadataValue: text) {
            case .success(let map): shared.merge(map) { _, fromMetadata in fromMetadata }
            case .failure(let e): warnings.append(e.in(path))
            }
        }
        let found = LayerDiscovery.layers(lookup: { sources[$0]?.info }, sharedInputs: shared, order: tensors.map(\.name))
        self.layers = found.layers
        let unreadable = tensors.compactMap { t in t.problem.map { DumpError(file: path, message: "tensor \"\(t.name)\" unreadable: \($0)") } }
        self.warnings = warnings + unreadable + found.warnings.map { DumpError(file: path, message: $0) }
        var index: [String: Int] = [:]
        for (i, l) in layers.enumerated() { index[l.name] = i }
        self.layerIndex = index
    }

    /// The tensor named `name`, if the dump has it.
    public func tensor(named name: String) -> TensorInfo? { sources[name]?.info }

    /// The layer named `name`, if the dump has it.
    public func layer(named name: String) -> LayerInfo? { layerIndex[name].map { layers[$0] } }

    /// The tensor `name` converted to `Float`, as a matrix.
    ///
    /// Leading dimensions are flattened into rows: rank ≥ 2 gives (product of all but the last) ×
    /// last, a vector of n gives 1 × n, a scalar 1 × 1.
    public func loadTensor(_ name: String) throws(DumpError) -> Matrix {
        guard let (info, source) = sources[name] else {
            throw DumpError(file: path, message: "no tensor named \"\(name)\"")
        }
        if let problem = info.problem {
            throw DumpError(file: path, message: "tensor \"\(name)\": \(problem)")
        }
        guard info.dtype.isSupported else {
            throw DumpError(file: path, message: "tensor \"\(name)\" has unsupported dtype \(info.dtype.name)")
        }
        let need = info.elementCount.multipliedReportingOverflow(by: 4)
        if let problem = MemoryBudget.problem(needing: need.overflow ? nil : need.partialValue, for: "tensor \"\(name)\" \(info.shape)") {
            throw DumpError(file: path, message: problem)
        }
        let values = try source.floats(info)
        let (rows, cols) = info.matrixShape
        return Matrix(rows: rows, cols: cols, storage: values)
    }

    /// Calls `body` with consecutive runs of tensor `name`'s values as `Float` (as stored: non-finite and
    /// denormal values included) and the flat index of each run's first element. Holds about 1 MB of the
    /// tensor at a time, whatever its size: statistics of a tensor without loading it.
    public func streamTensor(_ name: String, _ body: (Int, UnsafeBufferPointer<Float>) -> Void) throws(DumpError) {
        guard let (info, source) = sources[name] else {
            throw DumpError(file: path, message: "no tensor named \"\(name)\"")
        }
        if let problem = info.problem {
            throw DumpError(file: path, message: "tensor \"\(name)\": \(problem)")
        }
        try source.streamFloats(info, body)
    }

    /// The layer `name`: its input as tokens × in_features and its weight, if any, as out × in.
    ///
    /// Non-finite values (NaN, ±inf) are replaced by 0 and reported in the result's `nonFinite`
    /// (the explorer's one rule, see `NumericAudit`) and denormals by 0 (see `FlushToZero`); `loadTensor`
    /// still gives the values as stored.
    /// Throws the layer's `problem` if it has one, or any error from reading its tensors.
    public func loadLayer(_ name: String) throws(DumpError) -> LayerData {
        guard let layer = layer(named: name) else {
            throw DumpError(file: path, message: "no layer named \"\(name)\"")
        }
        if let problem = layer.problem {
            throw DumpError(file: path, message: "layer \"\(name)\": \(problem)")
        }
        let need = MemoryBudget.loadBytes(tokens: layer.tokens, inFeatures: layer.inFeatures, outFeatures: layer.outFeatures)
        if let problem = MemoryBudget.problem(needing: need, for: "loading layer \"\(name)\" (\(layer.shapeText))") {
            throw DumpError(file: path, message: problem)
        }
        let input = try loadTensor(layer.inputTensor)
        let weight = try layer.weightTensor.map { (w) throws(DumpError) -> Matrix in try loadTensor(w) }
        if let weight, weight.cols != input.cols {
            throw DumpError(file: path, message: "layer \"\(name)\": weight in_features \(weight.cols) ≠ input in_features \(input.cols)")
        }
        return LayerData(name: name, input: input, weight: weight).replacingNonFinite().flushingSubnormals()
    }
}
