/// Where every panel sits for a screen size and state; the view draws into these rectangles and
/// `update` hit-tests mouse clicks against them.
///
/// ```
/// ┌ top bar: title, stage tabs ───────────────────────────────────────────────┐
/// │ layer list            │ heatmap title                                     │
/// │                       │ heatmap (or two side by side in compare mode)     │
/// │───────────────────────│ legend · cursor inspection                        │
/// │ parameters            │ channel profile / greedy step-through             │
/// │                       │ metrics table                                     │
/// └ status bar ───────────────────────────────────────────────────────────────┘
/// ```
package struct ScreenLayout: Sendable, Equatable {
    package static let minimum = Size(width: 64, height: 20)

    package var size: Size
    package var tooSmall: Bool
    package var topBar = Rect.zero
    package var statusBar = Rect.zero
    package var listTitle = Rect.zero
    package var list = Rect.zero
    package var paramsTitle = Rect.zero
    package var params = Rect.zero
    package var heatTitle = Rect.zero
    /// One heatmap, or the left one in compare mode.
    package var heat = Rect.zero
    /// The right heatmap in compare mode.
    package var heatRight: Rect?
    package var legend = Rect.zero
    package var inspect = Rect.zero
    package var lowerTitle = Rect.zero
    /// Channel profile or greedy step panel.
    package var lower = Rect.zero
    package var metricsTitle = Rect.zero
    package var metrics = Rect.zero

    package init(size: Size, compare: Bool) {
        self.size = size
        tooSmall = size.width < ScreenLayout.minimum.width || size.height < ScreenLayout.minimum.height
        guard !tooSmall else { return }
        let screen = Rect(x: 0, y: 0, width: size.width, height: size.height)
        var body: Rect
        (topBar, body) = screen.splitRows(at: 1)
        (body, statusBar) = body.splitRows(fromBottom: 1)

        let leftWidth = size.width >= 140 ? 48 : size.width >= 120 ? 46 : size.width >= 100 ? 38 : max(24, size.width * 34 / 100)
        var (left, right) = body.splitColumns(at: leftWidth)
        right = Rect(x: right.x + 1, y: right.y, width: right.width - 1, height: right.height)  // gutter

        let paramRows = min(ParamField.allCases.count, max(4, body.height - 9))
        let (listPart, paramPart) = left.splitRows(fromBottom: paramRows + 1)
        (listTitle, list) = listPart.splitRows(at: 1)
        (paramsTitle, params) = paramPart.splitRows(at: 1)

        // Title, header and four rows; a fifth (weight MSE below the Δ row) where there is room, and from
        // 40 rows a sixth, so kurtosis shows under the Δ row too.
        let metricsHeight = body.height >= 38 ? 8 : body.height >= 30 ? 7 : 6
        let lowerHeight = body.height >= 34 ? 6 : body.height >= 26 ? 5 : 4
        var rest: Rect
        (rest, metricsTitle) = right.splitRows(fromBottom: metricsHeight)
        (metricsTitle, metrics) = metricsTitle.splitRows(at: 1)
        var lowerPart: Rect
        (rest, lowerPart) = rest.splitRows(fromBottom: lowerHeight)
        (lowerTitle, lower) = lowerPart.splitRows(at: 1)
        (heatTitle, rest) = rest.splitRows(at: 1)
        var info: Rect
        (rest, info) = rest.splitRows(fromBottom: 2)
        (legend, inspect) = info.splitRows(at: 1)
        if compare {
            let half = (rest.width - 1) / 2
            heat = Rect(x: rest.x, y: rest.y, width: half, height: rest.height)
            heatRight = Rect(x: rest.x + half + 1, y: rest.y, width: rest.width - half - 1, height: rest.height)
        } else {
            heat = rest
        }
    }

    /// The first parameter shown when the panel holds `height` rows: 0, or just enough to show `selected`
    /// (a short panel scrolls with the selection).
    package static func paramOffset(selected: Int, height: Int) -> Int { Swift.max(0, selected - height + 1) }

    /// The layer index under a click in the list, if any.
    package func layerIndex(at p: Point, offset: Int, count: Int) -> Int? {
        guard list.contains(p) else { return nil }
        let i = offset + (p.y - list.y) - 1  // first list row is the column header
        return i >= 0 && i < count ? i : nil
    }
}
