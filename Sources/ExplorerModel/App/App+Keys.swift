import DuQuantCore

extension App {
    /// A key goes to the first binding of ``KeyTable`` that takes it in the active scopes; the table is the
    /// only place keys are bound.
    static func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        Hop.here()
        state.notice = nil
        guard let binding = KeyTable.binding(for: key, in: state), let action = binding.action else { return [] }
        return action(&state, key)
    }

    /// Leaving is state, not work: the run loop ends once `quitting` is set, and cancels what runs.
    static func quit(_ state: inout AppState) -> [Effect] {
        state.quitting = true
        return []
    }

    /// Esc when nothing else claims it: out of step-through, else back to the layer list.
    static func back(_ state: inout AppState) -> [Effect] {
        if state.step != nil {
            state.step = nil
        } else {
            state.focus = .layers
        }
        return []
    }

    /// `t`: the next colour theme, named in the status bar.
    static func nextTheme(_ state: inout AppState) -> [Effect] {
        state.themeIndex = (state.themeIndex + 1) % state.themes.count
        state.notice = "theme: \(state.theme.name)"
        return []
    }
}
