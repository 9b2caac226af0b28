/// How `--layer P` picks a layer: the exact name, else the one name containing `P`. One rule for every
/// subcommand and the explorer.
enum LayerMatch: Equatable {
    /// The index of the chosen name.
    case found(Int)
    /// No name equals or contains the query.
    case none
    /// Several names contain it (their indices, in order).
    case ambiguous([Int])

    /// The match of `query` among `names`.
    init(_ query: String, in names: [String]) {
        if let i = names.firstIndex(of: query) { self = .found(i); return }
        let hits = names.indices.filter { names[$0].contains(query) }
        switch hits.count {
        case 0: self = .none
        case 1: self = .found(hits[0])
        default: self = .ambiguous(hits)
        }
    }
}
