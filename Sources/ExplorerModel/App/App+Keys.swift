import DuQuantCore

extension App {
    /// A key goes to the first binding of ``KeyTable`` that takes it in the active scopes; the table is the
    /// only place keys are bound, and a binding names the component's message the key sends.
    static func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        Hop.here()
        _ = route(&state, .status(.notice(nil)))
        guard let binding = KeyTable.binding(for: key, in: state), let msg = binding.action?(key) else { return [] }
        return update(&state, msg)
    }
}
