/// A colour as a cell stores it: the terminal's default or an index into the xterm-256 palette.
///
/// Themes are written in RGB; a ``Palette`` maps each RGB to the nearest index the terminal can show
/// (256, 16 or 8 colours), so the grid, the snapshots and the ncurses backend only ever see indices.
package enum Colour: Sendable, Hashable, CustomStringConvertible {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// An xterm-256 palette index (0–15 are the ANSI colours).
    case index(UInt8)

    package var description: String {
        switch self {
        case .terminalDefault: return "-"
        case .index(let i): return String(i)
        }
    }
}

/// A 24-bit colour, as written in theme files (`#RRGGBB`).
package struct RGB: Sendable, Hashable, CustomStringConvertible {
    package var r: UInt8
    package var g: UInt8
    package var b: UInt8

    package init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// Parses `#RRGGBB` (the `#` is optional).
    package init?(hex: String) {
        var s = Substring(hex)
        if s.hasPrefix("#") { s = s.dropFirst() }
        guard s.count == 6, let v = UInt32(s, radix: 16) else { return nil }
        self.init(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
    }

    package var description: String {
        let hex = (UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b))
        let digits = String(hex, radix: 16, uppercase: true)
        return "#" + String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// Linear interpolation between two colours, `t` in 0...1.
    package func mixed(with other: RGB, _ t: Double) -> RGB {
        func lerp(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) + (Double(b) - Double(a)) * min(1, max(0, t))).rounded())
        }
        return RGB(lerp(r, other.r), lerp(g, other.g), lerp(b, other.b))
    }

    /// Squared distance with the usual red/green/blue weights for perceived difference.
    func distance(to o: RGB) -> Int {
        let dr = Int(r) - Int(o.r), dg = Int(g) - Int(o.g), db = Int(b) - Int(o.b)
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }

    /// Relative luminance in 0...1 (for choosing readable text on a coloured cell).
    package var luminance: Double {
        (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255
    }
}

/// The xterm-256 palette and nearest-colour mapping into it.
package enum XTermPalette {
    /// The 16 ANSI colours as xterm draws them by default.
    package static let ansi: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0),
        RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0),
        RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]

    private static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The RGB value of palette entry `i`.
    package static func rgb(_ i: UInt8) -> RGB {
        let n = Int(i)
        if n < 16 { return ansi[n] }
        if n >= 232 {
            let v = UInt8(8 + 10 * (n - 232))
            return RGB(v, v, v)
        }
        let c = n - 16
        return RGB(UInt8(cubeLevels[c / 36]), UInt8(cubeLevels[c / 6 % 6]), UInt8(cubeLevels[c % 6]))
    }

    /// The nearest entry among 16–255 (the cube and the grey ramp; 0–15 vary between terminals).
    package static func nearest256(_ c: RGB) -> UInt8 {
        func level(_ v: UInt8) -> Int {
            var best = 0
            for (i, l) in cubeLevels.enumerated() where abs(l - Int(v)) < abs(cubeLevels[best] - Int(v)) { best = i }
            return best
        }
        let cube = UInt8(16 + 36 * level(c.r) + 6 * level(c.g) + level(c.b))
        let mean = (Int(c.r) + Int(c.g) + Int(c.b)) / 3
        let greyStep = min(23, max(0, (mean - 3) / 10))
        let grey = UInt8(232 + greyStep)
        return c.distance(to: rgb(cube)) <= c.distance(to: rgb(grey)) ? cube : grey
    }

    /// The nearest of the first `count` ANSI colours (16, or 8 on terminals without bright colours).
    package static func nearestANSI(_ c: RGB, count: Int = 16) -> UInt8 {
        var best = 0
        for i in 1..<min(16, max(1, count)) where c.distance(to: ansi[i]) < c.distance(to: ansi[best]) { best = i }
        return UInt8(best)
    }
}
