import DuQuantCore

/// Where the teaching view puts each value of a small matrix (or of a zoomed-in window of a large one):
/// one text row per token, a few columns per channel with the value printed, a rule between blocks, a
/// header of channel numbers above, and the permutation's mapping and a two-line caption below.
///
/// ```
///      0    1    2    3 │   4    5 …      header: global channel numbers
/// t0 1.06 16.6 -9.0 0.12│ …               one row per token
/// from 1    5    9    0 │   2 …           the permutation: which channel each position came from
/// ```
package struct TeachingGrid: Sendable, Equatable {
    /// Columns of the token label at the left of each row.
    package var labelWidth: Int
    /// Columns per channel (the value and at least one space).
    package var cellWidth: Int
    /// The tokens and channels shown (global indices).
    package var tokens: Range<Int>
    package var channels: Range<Int>
    /// Channels per block (a rule is drawn between blocks).
    package var block: Int

    /// Rows above and below the values: the header, then the mapping row and the two caption lines.
    package static let rowsAbove = 1
    package static let rowsBelow = 3
    /// Widest cell worth drawing (wider only spreads the values apart).
    package static let maxCellWidth = 7
    /// Narrowest cell that still prints a value: three characters and a space.
    package static let minCellWidth = 4

    /// The grid for `tokens` × `channels` of a matrix with blocks of `block` in `area`, or nil when the
    /// values do not fit there: every cell holds its channel number and `valueWidth` characters (the widest
    /// whole part of the values shown, see ``valueWidth(of:tokens:channels:)``) and a space.
    package init?(tokens: Range<Int>, channels: Range<Int>, block: Int, area: Rect, valueWidth: Int = 3) {
        guard !tokens.isEmpty, !channels.isEmpty else { return nil }
        self.tokens = tokens
        self.channels = channels
        self.block = max(1, block)
        labelWidth = max(5, String(tokens.upperBound - 1).count + 2)
        cellWidth = 0
        let rules = x(ofChannel: channels.upperBound - 1) - labelWidth
        cellWidth = min(Self.maxCellWidth, (area.width - labelWidth - rules) / channels.count)
        let need = max(Self.minCellWidth - 1, valueWidth, String(channels.upperBound - 1).count)
        guard cellWidth >= need + 1,
              tokens.count + Self.rowsAbove + Self.rowsBelow <= area.height else { return nil }
    }

    /// Characters the values of `m` in `tokens` × `channels` need to be read without an exponent: the widest
    /// whole part with its sign (`-3064`: 5), at least 3 (`-.6`, `.05`).
    package static func valueWidth(of m: Matrix, tokens: Range<Int>, channels: Range<Int>) -> Int {
        var widest = 3
        for t in tokens where t < m.rows {
            for c in channels where c < m.cols {
                let v = m[t, c], a = abs(v)
                guard a >= 1, a.isFinite else { continue }
                // Digits of the whole part (a value beyond Int's range cannot fit a cell anyway).
                let digits = a < 1e15 ? String(Int(a.rounded())).count : 16
                widest = max(widest, digits + (v < 0 ? 1 : 0))
            }
        }
        return widest
    }

    /// The column (relative to the area) where channel `c`'s cell starts; a rule sits before every
    /// block start but the first shown.
    package func x(ofChannel c: Int) -> Int {
        labelWidth + (c - channels.lowerBound) * cellWidth + (c / block - channels.lowerBound / block)
    }

    /// The columns up to the end of the last channel's cell.
    package var width: Int { x(ofChannel: channels.upperBound - 1) + cellWidth }

    /// The channel whose cell covers relative column `x`, if any.
    package func channel(atColumn x: Int) -> Int? {
        channels.first { x >= self.x(ofChannel: $0) && x < self.x(ofChannel: $0) + cellWidth }
    }

    /// True where a rule between blocks sits before channel `c`.
    package func ruleBefore(_ c: Int) -> Bool {
        c > channels.lowerBound && c % block == 0
    }
}

extension HeatmapState {
    /// Where the teaching view draws and its grid, when the teaching view is on (`T`, on by default) and the
    /// visible part of the matrix fits with its values printed: a small matrix at once, a large one once
    /// zoomed in far enough. Not in compare mode.
    ///
    /// The heatmap's rows when the values fit there (the channel profile stays under it), else also the
    /// profile's rows — the caption says in numbers what the profile shows — so 8 tokens fit at 80×24 (not
    /// while the lower panel is in use: step-through, anatomy). The legend and the inspect line then move to
    /// the last two of those rows.
    package func teachingPlacement(_ ctx: Context) -> (grid: TeachingGrid, area: Rect)? {
        guard teach, !compare, ctx.shared.open != nil else { return nil }
        let layout = ScreenLayout(size: ctx.size, compare: false)
        guard !layout.tooSmall else { return nil }
        let v = view, block = ctx.shared.params.block
        let tokens = v.tokenStart..<(v.tokenStart + v.tokenSpan), channels = v.channelStart..<(v.channelStart + v.channelSpan)
        // The values' width is read only once the cells could hold the narrowest values (a small window).
        var width: Int?
        func grid(_ area: Rect) -> TeachingGrid? {
            guard TeachingGrid(tokens: tokens, channels: channels, block: block, area: area) != nil else { return nil }
            if width == nil { width = shownMatrix(ctx.shared).map { TeachingGrid.valueWidth(of: $0, tokens: tokens, channels: channels) } ?? 3 }
            return TeachingGrid(tokens: tokens, channels: channels, block: block, area: area, valueWidth: width!)
        }
        if let g = grid(layout.heat) { return (g, layout.heat) }
        guard step == nil, !ctx.lowerPanelInUse else { return nil }
        let tall = Rect(x: layout.heat.x, y: layout.heat.y, width: layout.heat.width, height: layout.lower.maxY - layout.heat.y - 2)
        if let g = grid(tall) { return (g, tall) }
        // A narrow screen (80×24): the values take the layer list's and the parameters' columns too, rather
        // than fall back to a pooled heatmap without values or caption.
        let wide = Rect(x: 0, y: tall.y, width: ctx.size.width, height: tall.height)
        return grid(wide).map { ($0, wide) }
    }

    /// Where the teaching view draws, else the heatmap's rectangle.
    package func teachingArea(_ ctx: Context) -> Rect {
        teachingPlacement(ctx)?.area ?? ScreenLayout(size: ctx.size, compare: false).heat
    }
}
