/// A width × height in terminal cells.
package struct Size: Sendable, Hashable, CustomStringConvertible {
    package var width: Int
    package var height: Int

    package init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    package var description: String { "\(width)x\(height)" }

    /// Parses `120x40`.
    package init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else { return nil }
        self.init(width: w, height: h)
    }
}

/// A cell position, column `x` and row `y`, origin top-left.
package struct Point: Sendable, Hashable {
    package var x: Int
    package var y: Int

    package init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// A rectangle of cells. Widgets draw inside the rectangle they are given and nowhere else.
///
/// ```swift
/// let (left, right) = Rect(x: 0, y: 0, width: 80, height: 24).splitColumns(at: 30)
/// ```
package struct Rect: Sendable, Hashable, CustomStringConvertible {
    package var x: Int
    package var y: Int
    package var width: Int
    package var height: Int

    package init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    package static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    package var maxX: Int { x + width }
    package var maxY: Int { y + height }
    package var isEmpty: Bool { width <= 0 || height <= 0 }
    package var description: String { "(\(x),\(y) \(width)x\(height))" }

    package func contains(_ p: Point) -> Bool {
        p.x >= x && p.x < maxX && p.y >= y && p.y < maxY
    }

    /// The rectangle shrunk by `n` cells on every side.
    package func inset(by n: Int) -> Rect {
        Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n)
    }

    /// The first `n` rows and the rest.
    package func splitRows(at n: Int) -> (Rect, Rect) {
        let k = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: k),
                Rect(x: x, y: y + k, width: width, height: height - k))
    }

    /// The last `n` rows split off: (rest, bottom).
    package func splitRows(fromBottom n: Int) -> (Rect, Rect) {
        splitRows(at: height - min(max(0, n), height))
    }

    /// The first `n` columns and the rest.
    package func splitColumns(at n: Int) -> (Rect, Rect) {
        let k = min(max(0, n), width)
        return (Rect(x: x, y: y, width: k, height: height),
                Rect(x: x + k, y: y, width: width - k, height: height))
    }

    /// One row of the rectangle (relative index).
    package func row(_ i: Int) -> Rect {
        Rect(x: x, y: y + i, width: width, height: i >= 0 && i < height ? 1 : 0)
    }
}
