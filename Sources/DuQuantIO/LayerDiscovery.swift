/// Finds the linear layers in a set of tensors.
///
/// A layer is a prefix `P` with `P.input` (rank ≥ 1), or a prefix named in the shared-inputs map,
/// whose input is then the `.input` of the prefix it maps to (followed through chains, with cycles
/// reported). `P.weight`, if present, must be rank 2 with in_features equal to the input's last
/// dimension. A prefix that has its own `.input` ignores any mapping for it (with a warning).
/// Problems are attached to the layer they concern so the rest stay usable.
enum LayerDiscovery {
    static let inputSuffix = ".input"
    static let weightSuffix = ".weight"
    static let maxShareHops = 8

    /// - Parameter order: the tensor names in natural order, if known: layers are then found in nearly
    ///   their final order and the sort is close to one pass (a header of a million layers).
    static func layers(tensors: [String: TensorInfo], sharedInputs: [String: String], order: [String]? = nil)
        -> (layers: [LayerInfo], warnings: [String]) {
        layers(lookup: { tensors[$0] }, sharedInputs: sharedInputs, order: order ?? Array(tensors.keys))
    }

    /// The same, with the tensors known through `lookup` and listed (every name once) in `order`.
    static func layers(lookup: (String) -> TensorInfo?, sharedInputs: [String: String], order: [String])
        -> (layers: [LayerInfo], warnings: [String]) {
        var prefixes: [String] = []
        var seen = Set<String>()
        var warnings: [String] = []
        for name in order
        where hasByteSuffix(name, inputSuffix) && name.utf8.count > inputSuffix.utf8.count {
            let p = String(decoding: name.utf8.dropLast(inputSuffix.utf8.count), as: UTF8.self)
            if seen.insert(p).inserted { prefixes.append(p) }
        }
        for p in sharedInputs.keys.sorted() where lookup(p + inputSuffix) != nil {
            warnings.append("shared input for \"\(p)\" ignored: it has its own \(p + inputSuffix)")
        }
        for p in sharedInputs.keys.sorted() where seen.insert(p).inserted { prefixes.append(p) }

        var result: [LayerInfo] = []
        result.reserveCapacity(prefixes.count)
        for p in prefixes {
            result.append(layer(p, lookup: lookup, sharedInputs: sharedInputs))
        }
        // Each layer's sort key is made once (the block prefix split out, names prepared).
        let keys = result.map(OrderKey.init)
        let order = result.indices.sorted { executionOrder(keys[$0], keys[$1]) }
        return (order.map { result[$0] }, warnings)
    }

    /// What ``executionOrder(_:_:)`` compares, computed once per layer.
    struct OrderKey {
        let block: String
        let blockKey: NaturalOrder.Key
        let module: Int
        let name: NaturalOrder.Key

        init(_ l: LayerInfo) {
            block = LayerDiscovery.blockPrefix(l.name)
            blockKey = NaturalOrder.Key(block)
            module = ModuleKind.allCases.firstIndex(of: l.moduleKind)!
            name = NaturalOrder.Key(l.name)
        }
    }

    /// Whether `name` ends with the bytes of `suffix` (`hasSuffix` compares Unicode-aware, and slowly).
    static func hasByteSuffix(_ name: String, _ suffix: String) -> Bool {
        name.utf8.count >= suffix.utf8.count && name.utf8.suffix(suffix.utf8.count).elementsEqual(suffix.utf8)
    }

    /// Model order: by block (`model.layers.2` before `model.layers.10`), and inside a block in the order
    /// a forward pass runs its modules (q, k, v, o, gate, up, down), then by name.
    static func executionOrder(_ a: OrderKey, _ b: OrderKey) -> Bool {
        if a.block != b.block { return NaturalOrder.less(a.blockKey, b.blockKey) }
        if a.module != b.module { return a.module < b.module }
        return NaturalOrder.less(a.name, b.name)
    }

    /// The name up to and including its last numeric component (`model.layers.3`), or "".
    static func blockPrefix(_ name: String) -> String {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard let last = parts.lastIndex(where: { !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return "" }
        return parts[...last].joined(separator: ".")
    }

    private static func layer(_ p: String, lookup tensors: (String) -> TensorInfo?, sharedInputs: [String: String]) -> LayerInfo {
        // Resolve where the input comes from.
        var source = p
        var problem: String?
        var hops = 0
        while tensors(source + inputSuffix) == nil, let next = sharedInputs[source] {
            hops += 1
            if hops > maxShareHops || next == p {
                problem = "shared inputs form a cycle or a chain longer than \(maxShareHops)"
                break
            }
            source = next
        }
        let inputName = source + inputSuffix
        let weightName = p + weightSuffix
        let weight = tensors(weightName)
        var info = LayerInfo(
            name: p, inputTensor: inputName, weightTensor: weight?.name,
            sharesInputWith: source == p ? nil : source,
            tokens: 0, inFeatures: 0, outFeatures: nil, dtype: .f32,
            moduleKind: ModuleKind(layerName: p), problem: problem)
        if let w = weight, let why = w.problem {
            info.problem = info.problem ?? "weight \(weightName) is unreadable: \(why)"
        }
        if let w = weight {
            if w.shape.count == 2 {
                info.outFeatures = w.shape[0]
            } else {
                info.problem = info.problem ?? "weight \(weightName) has rank \(w.shape.count), expected 2"
            }
            if !w.dtype.isSupported {
                info.problem = info.problem ?? "weight \(weightName) has unsupported dtype \(w.dtype.name)"
            }
        }
        guard let input = tensors(inputName) else {
            info.problem = info.problem ?? "input \(inputName) is missing"
            if let w = weight, w.shape.count == 2 { info.inFeatures = w.shape[1] }
            return info
        }
        info.dtype = input.dtype
        if let why = input.problem {
            info.problem = info.problem ?? "input \(inputName) is unreadable: \(why)"
            return info
        }
        if input.shape.isEmpty {
            info.problem = info.problem ?? "input \(inputName) is a scalar, expected rank ≥ 1"
            return info
        }
        (info.tokens, info.inFeatures) = input.matrixShape
        if !input.dtype.isSupported {
            info.problem = info.problem ?? "input \(inputName) has unsupported dtype \(input.dtype.name)"
        }
        if let w = weight, w.shape.count == 2, w.shape[1] != info.inFeatures {
            info.problem = info.problem ?? "weight in_features \(w.shape[1]) ≠ input in_features \(info.inFeatures)"
        }
        // Nothing to analyse, and a zero-size tensor may still declare an enormous other dimension.
        if info.tokens == 0 || info.inFeatures == 0 {
            info.problem = info.problem ?? "input \(inputName) is empty (shape \(input.shape))"
        }
        if let w = weight, w.shape.count == 2, w.shape[0] == 0 {
            info.problem = info.problem ?? "weight \(weightName) is empty (shape \(w.shape))"
        }
        return info
    }
}

