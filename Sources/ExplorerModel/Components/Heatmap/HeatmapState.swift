import DuQuantCore

/// The heatmap's own state: the stage shown (or two, compared), the colour scale, the visible window and
/// cursor, greedy step-through, the teaching view and the outlier hunt.
package struct HeatmapState: Sendable {
    package var stage: Stage = .original
    package var compare = false
    package var compareLeft: Stage = .original
    /// The colour scale chosen with `L` or `--log`; nil lets ``scale(_:)`` choose from the layer.
    package var scaleChoice: HeatScale?
    /// The visible window and the cursor.
    package var view = HeatView()
    /// Greedy step-through (`s`), while on.
    package var step: StepState?
    /// The teaching view (`T`): values printed in magnified cells whenever the visible part fits.
    package var teach = true
    /// Where `x` last put the cursor (the next `x` goes to the next largest |x|).
    package var hunt: OutlierHunt?

    package init() {}

    /// The colour scale in use: the one chosen, else log when the open layer has massive outliers (max |x|
    /// over the median at least ``ExplorerDefaults/autoLogRatio``: in a linear scale everything below
    /// the outlier would be black), else linear.
    package func scale(_ shared: SharedData) -> HeatScale { scaleChoice ?? (autoLog(shared) ? .log : .linear) }

    /// True when no scale was chosen and the open layer's max/median is large enough for log.
    package func autoLog(_ shared: SharedData) -> Bool {
        guard scaleChoice == nil, let open = shared.open, let ratio = shared.layers[open.index].summary?.ratio else { return false }
        return ratio >= ExplorerDefaults.autoLogRatio
    }

    /// The matrix shown in the main heatmap: the step-through matrix in step mode, else the stage.
    package func shownMatrix(_ shared: SharedData) -> Matrix? {
        if let step, let m = step.matrix { return m }
        if step != nil { return nil }
        return shared.matrix(for: stage)
    }

    /// Names what the main heatmap shows, so a hunt knows when the matrix under it changed.
    package var shownKey: String {
        if let step { return "step \(step.rotation) \(step.shownStep ?? -1)" }
        return "stage \(stage.rawValue)"
    }
}

/// Greedy step-through: which rotation stage and how many of its steps are applied.
package struct StepState: Sendable {
    /// Index into the calibration's traces (0 = rotation 1, last = rotation 2).
    package var rotation = 0
    /// Steps applied in every block.
    package var step = 0
    /// Which block's trace the sparkline shows (index into that stage's traces).
    package var traceIndex = 0
    /// The heatmap after `step` steps, once computed.
    package var matrix: Matrix?
    /// Statistics of `matrix`.
    package var stats: StageStats?
    /// The step `matrix` shows (it lags `step` while computing).
    package var shownStep: Int?

    package init() {}
}
