/// The status bar's keys: Esc dismisses the problem shown, or stops the computation in progress.
package enum Status {
    /// A problem stays in the status bar until dismissed; Esc does that before anything else.
    static func dismissProblem(_ state: inout AppState) -> [Effect] {
        state.lastError = nil
        return []
    }

    /// Esc stops the computation in progress, and the background scan of the other layers with it (it would
    /// otherwise take the cores for the same kind of work); the figures already shown stay.
    static func stopComputation(_ state: inout AppState) -> [Effect] {
        _ = state.nextGeneration(.evaluate)
        _ = state.nextGeneration(.scan)
        state.busy[.evaluate] = nil
        state.busy[.scan] = nil
        state.notice = "computation stopped — change a parameter or press Enter on a layer to compute again"
        return [.cancel(.evaluate), .cancel(.scan)]
    }
}
