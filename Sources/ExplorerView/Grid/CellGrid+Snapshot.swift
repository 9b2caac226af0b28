import ExplorerModel

extension CellGrid {
    /// The glyphs, one line per row, trailing spaces kept so columns line up in diffs.
    package var text: String {
        var out = ""
        out.reserveCapacity((width + 1) * height)
        for y in 0..<height {
            for x in 0..<width { out.unicodeScalars.append(contentsOf: cells[y * width + x].scalars) }
            out.append("\n")
        }
        return out
    }

    /// Row `y` as a string.
    package func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = ""
        for x in 0..<width { s.unicodeScalars.append(contentsOf: cells[y * width + x].scalars) }
        return s
    }

    /// Style runs: one `row:col style` line wherever the style differs from the cell before it in reading
    /// order (the first cell always starts a run).
    package var styleRuns: String {
        var out = ""
        var last: CellStyle?
        for y in 0..<height {
            for x in 0..<width {
                let s = cells[y * width + x].style
                if s != last {
                    out += "\(y):\(x) \(s)\n"
                    last = s
                }
            }
        }
        return out
    }

    /// The snapshot file format: a header, the text framed by `|`, then the style runs.
    ///
    /// ```
    /// size 80x24
    /// |DuQuant Explorer ...   |
    /// --- styles
    /// 0:0 fg=252 bg=236 bold
    /// ```
    package var snapshot: String {
        var out = "size \(size)\n"
        for y in 0..<height { out += "|" + line(y) + "|\n" }
        out += "--- styles\n"
        out += styleRuns
        return out
    }
}
