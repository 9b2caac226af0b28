/// Greedy step-through (`s`): the heatmap after each greedy step of a rotation, one block's trace below.
package enum StepThrough {
    static func toggle(_ state: inout AppState) -> [Effect] {
        if state.step != nil {
            state.step = nil
            return []
        }
        guard state.calibration != nil else {
            state.notice = "step-through needs the calibration; it is still computing"
            return []
        }
        var step = StepState()
        step.rotation = 0
        step.traceIndex = loudestTrace(state, rotation: 0)
        state.step = step
        if state.focus == .layers { state.focus = .heatmap }
        return App.requestStep(&state)
    }

    /// The block whose search starts from the highest peak: where the massive outlier is, the most
    /// instructive one to step through first (`b` moves to the others).
    static func loudestTrace(_ state: AppState, rotation: Int) -> Int {
        guard let traces = state.calibration?.traces, traces.indices.contains(rotation) else { return 0 }
        let peaks = traces[rotation].map { $0.peaks.first ?? 0 }
        return peaks.indices.max { peaks[$0] < peaks[$1] } ?? 0
    }

    /// . , > <: `by` steps on (or back), inside the rotation's steps.
    static func move(_ state: inout AppState, by n: Int) -> [Effect] {
        guard var step = state.step else { return [] }
        step.step = min(App.maxSteps(state, rotation: step.rotation), max(0, step.step + n))
        state.step = step
        return App.requestStep(&state)
    }

    /// `r`: the next rotation stage, from its first step and its loudest block.
    static func nextRotation(_ state: inout AppState) -> [Effect] {
        guard var step = state.step else { return [] }
        let rotations = state.calibration?.traces.count ?? 0
        guard rotations > 0 else { return [] }
        step.rotation = (step.rotation + 1) % rotations
        step.step = 0
        step.traceIndex = loudestTrace(state, rotation: step.rotation)
        step.matrix = nil
        state.step = step
        return App.requestStep(&state)
    }

    /// `b`: the next block's trace in the panel below (the heatmap stays).
    static func nextBlock(_ state: inout AppState) -> [Effect] {
        guard var step = state.step else { return [] }
        let blocks = state.calibration?.traces[step.rotation].count ?? 1
        step.traceIndex = (step.traceIndex + 1) % max(1, blocks)
        state.step = step
        return []
    }
}
