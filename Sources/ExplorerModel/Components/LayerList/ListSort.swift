import DuQuantCore

/// The order of the layer list (`o` cycles): as in the files, or worst first by a figure.
package enum ListSort: String, CaseIterable, Sendable {
    case file, maxAbs, ratio, error

    /// How the list title names it.
    package var title: String {
        switch self {
        case .file: "file order"
        case .maxAbs: "max|x| ▼"
        case .ratio: "ratio ▼"
        case .error: "error ▼"
        }
    }

    /// The next order.
    package var next: ListSort { ListSort.allCases[(ListSort.allCases.firstIndex(of: self)! + 1) % ListSort.allCases.count] }
}

extension LayerListState {
    /// Layer indices in the order the list shows them: by the sort's figure, largest first (layers without
    /// the figure yet last, in file order); ties keep file order.
    package func order(_ shared: SharedData) -> [Int] {
        let layers = shared.layers
        let figure: (LayerEntry) -> Float?
        switch sort {
        case .file: return Array(layers.indices)
        case .maxAbs: figure = { $0.summary?.maxAbs }
        case .ratio: figure = { $0.summary?.ratio }
        case .error: figure = { $0.summary?.error }
        }
        // A figure of other settings is not sorted as current (it goes with the layers not measured yet).
        func current(_ i: Int) -> Float? {
            guard sort != .error || errorIsCurrent(i, shared) else { return nil }
            return figure(layers[i]).flatMap { $0.isNaN ? nil : $0 }
        }
        return layers.indices.sorted { a, b in
            switch (current(a), current(b)) {
            case let (x?, y?): return x != y ? x > y : a < b
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a < b
            }
        }
    }

    /// The parameters layer `i`'s list error should be measured with: the current ones, or for a layer of
    /// another file whose sidecar names parameters, those (opening it switches to them).
    package func params(for i: Int, _ shared: SharedData) -> QuantParams {
        let file = shared.layers[i].file
        if let open = shared.open, shared.layers[open.index].file != file, let preset = shared.presets[file] { return preset.params }
        return shared.params
    }

    /// True when layer `i`'s list error was measured with ``params(for:_:)`` and the list's method; a figure
    /// of other settings is stale (drawn marked, sorted with the layers not measured yet).
    package func errorIsCurrent(_ i: Int, _ shared: SharedData) -> Bool {
        guard let s = shared.layers[i].summary, s.error != nil else { return false }
        return s.errorParams == params(for: i, shared) && s.errorMethod == method
    }

    /// Where the selected layer sits in ``order(_:)``.
    package func selectedRow(_ shared: SharedData) -> Int { order(shared).firstIndex(of: selected) ?? 0 }
}

extension Method {
    /// Three-letter name for narrow columns (the layer list's error column).
    package var shortTitle: String {
        switch self {
        case .rtn: "RTN"
        case .smoothquant: "SQ"
        case .hadamard: "Had"
        case .quarot: "QuR"
        case .duquant: "DuQ"
        }
    }
}
