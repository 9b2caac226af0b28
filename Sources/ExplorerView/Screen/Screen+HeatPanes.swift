import DuQuantCore
import ExplorerModel

/// One heatmap pane of a frame: where it draws, the stage it shows (nil: the step-through matrix), its
/// matrix (nil until computed) and the bins its pool needs.
struct HeatPane {
    var area: Rect
    var stage: Stage?
    var matrix: Matrix?
    /// Bins across: one per channel in the teaching view, else one per cell.
    var columns: Int
    /// Bins down: one per token in the teaching view, else the data rows of the pane's cells.
    var rows: Int
}

/// What the heatmap shows this frame, settled before anything is drawn: the colour mapping every pane
/// shares, the main pane's pool (the profile and the inspect line read it) and whether the teaching view
/// takes the lower panel's rows (the legend and inspect line then move under it, the profile is not drawn).
struct HeatShown {
    var mapping: HeatMapping?
    var pool: HeatPool?
    var teaching = false
    /// The teaching view also took the list's and the parameters' columns (a narrow screen).
    var teachingWide = false

    init() {}

    init(_ s: AppState, panes: [HeatPane], frame: HeatFrame) {
        guard s.shared.open != nil else { return }
        // One scale for every pane (compare mode shares it), from statistics computed with the results.
        let shown = panes.filter { $0.matrix != nil }.compactMap { s.stats(for: $0.stage) }
        let maximum = shown.map(\.maxAbs).max() ?? 1
        // The log scale starts at the lowest pane's 10th percentile of |x| (computed with the results).
        mapping = HeatMapping(maximum: maximum, scale: s.scale, lowAbs: shown.compactMap(\.lowAbs).min())
        guard let last = panes.indices.last, panes[last].matrix != nil, frame.pools.indices.contains(last),
              let pool = frame.pools[last] else { return }
        self.pool = pool
        teaching = s.teachingGrid != nil && s.teachingTakesLowerPanel
        teachingWide = teaching && s.teachingTakesLeftColumn
    }
}

extension Screen {
    /// The heatmap panes of `s`, left to right (two in compare mode): what the frame's pools are made
    /// for (``HeatCache``) and what ``drawHeat(_:_:)`` draws.
    static func heatPanes(_ s: AppState, layout: ScreenLayout, rowsPerCell: Int) -> [HeatPane] {
        Hop.here()
        guard s.shared.open != nil else { return [] }
        func pane(_ area: Rect, _ stage: Stage?, _ matrix: Matrix?) -> HeatPane {
            // The teaching view prints every value: one bin per value, for the profile and the inspect line.
            if let teaching = s.teachingGrid {
                return HeatPane(area: area, stage: stage, matrix: matrix, columns: teaching.channels.count,
                                rows: teaching.tokens.count)
            }
            return HeatPane(area: area, stage: stage, matrix: matrix, columns: area.width, rows: area.height * rowsPerCell)
        }
        if s.heatmap.compare, let right = layout.heatRight {
            return [pane(layout.heat, s.heatmap.compareLeft, s.matrix(for: s.heatmap.compareLeft)), pane(right, s.heatmap.stage, s.matrix(for: s.heatmap.stage))]
        }
        return [pane(layout.heat, s.heatmap.step == nil ? s.heatmap.stage : nil, s.shownMatrix)]
    }
}
