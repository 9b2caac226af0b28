/// A key press, decoded by the backend from the terminal.
package enum Key: Sendable, Hashable {
    case char(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    /// Control + letter (lowercase), e.g. `.ctrl("l")`.
    case ctrl(Character)
    case function(Int)
}

/// A mouse event at a cell.
package struct MouseEvent: Sendable, Hashable {
    package enum Kind: Sendable, Hashable { case press, wheelUp, wheelDown }
    package var kind: Kind
    package var at: Point

    package init(_ kind: Kind, at: Point) {
        self.kind = kind
        self.at = at
    }
}
