import DuQuantCore

/// What the view and the key table read across components: computed from the component states and the
/// shared data (the parent may read every component; a component reads only its own state and the context).
extension AppState {
    /// The colour scale in use: the one chosen, else log when the open layer has massive outliers.
    package var scale: HeatScale { heatmap.scale(shared) }

    /// True when no scale was chosen and the open layer's max/median is large enough for log.
    package var autoLog: Bool { heatmap.autoLog(shared) }

    /// The calibration behind the stage heatmaps, if computed.
    package var calibration: DuQuantCalibration? { shared.calibration }

    /// The current theme.
    package var theme: ThemeChoice { display.theme }

    /// True when heatmaps use the one-row ASCII ramp rather than two half-block rows per text row.
    package var asciiHeat: Bool { display.ascii || display.colourMode == .mono || !display.theme.hasRamp }

    /// Data rows per heatmap text row: two half-blocks in colour, one character in ASCII.
    package var heatRowsPerCell: Int { asciiHeat ? 1 : 2 }

    /// The matrix for `stage` of the open layer, if available (the original is available once loaded).
    package func matrix(for stage: Stage) -> Matrix? { shared.matrix(for: stage) }

    /// Statistics of `stage` (or of the step-through matrix when `stage` is nil).
    package func stats(for stage: Stage?) -> StageStats? {
        guard let stage else { return heatmap.step?.stats }
        return shared.stageStats[stage]
    }

    /// The matrix shown in the main heatmap: the step-through matrix in step mode, else the stage.
    package var shownMatrix: Matrix? { heatmap.shownMatrix(shared) }

    /// Token count and channel count of the open layer.
    package var openShape: (tokens: Int, channels: Int) { shared.openShape }

    /// The seed spread, when it was measured with the current parameters (seed aside).
    package var currentSeedSpread: SeedSpread? { methods.currentSeedSpread(shared.params) }

    /// The split's figures, when measured with the current parameters on the open layer.
    package var currentHeldOut: HeldOutResult? { methods.currentHeldOut(shared) }

    /// Names what the main heatmap shows, so a hunt knows when the matrix under it changed.
    package var shownKey: String { heatmap.shownKey }

    // MARK: The teaching view

    /// The teaching grid of the main heatmap, when the teaching view is on and the visible part fits.
    package var teachingGrid: TeachingGrid? { heatmap.teachingPlacement(context)?.grid }

    /// Where the teaching view draws (see ``HeatmapState/teachingPlacement(_:)``).
    package var teachingArea: Rect { heatmap.teachingArea(context) }

    /// True when the teaching view took the profile's rows.
    package var teachingTakesLowerPanel: Bool {
        guard let area = heatmap.teachingPlacement(context)?.area else { return false }
        return area != ScreenLayout(size: display.size, compare: false).heat
    }

    /// True when the teaching view took the layer list's and the parameters' columns (they are not drawn).
    package var teachingTakesLeftColumn: Bool { heatmap.teachingPlacement(context).map { $0.area.x == 0 } ?? false }

    // MARK: The layer list

    /// Layer indices in the order the list shows them (see ``LayerListState/order(_:)``).
    package var listOrder: [Int] { list.order(shared) }

    /// The parameters layer `i`'s list error should be measured with.
    package func listParams(_ i: Int) -> QuantParams { list.params(for: i, shared) }

    /// True when layer `i`'s list error was measured with ``listParams(_:)`` and the list's method.
    package func listErrorIsCurrent(_ i: Int) -> Bool { list.errorIsCurrent(i, shared) }

    /// Where the selected layer sits in ``listOrder``.
    package var selectedRow: Int { list.selectedRow(shared) }
}

/// Figures the view and the tests read of the heatmap and step-through at the current state.
extension App {
    /// How many bins the main heatmap shows along each axis at the current size.
    package static func heatBins(_ state: AppState) -> (rows: Int, columns: Int) { Heatmap.bins(state.heatmap, state.context) }

    /// Tokens and channels per heatmap bin at the current size (the wheel's step).
    package static func heatBinSize(_ state: AppState) -> (tokens: Int, channels: Int) { Heatmap.binSize(state.heatmap, state.context) }

    /// Greedy steps available in rotation stage `rotation` (the longest block trace).
    package static func maxSteps(_ state: AppState, rotation: Int) -> Int {
        StepThrough.maxSteps(state.shared.calibration, rotation: rotation)
    }
}
