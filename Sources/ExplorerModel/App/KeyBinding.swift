/// Where a key binding applies: the component that owns it, or the overlay or mode that has the keys.
package enum KeyScope: String, Sendable, CaseIterable {
    /// Anywhere on the main screen (no overlay open, no search being typed).
    case app
    /// The focused panel: the layer list, the heatmap or the parameters.
    case layers, heatmap, params
    /// In greedy step-through, before the focused panel.
    case step
    /// While a search is typed (`/`).
    case search
    /// The help overlay (`?`) and the problems overlay (`!`).
    case help, problems
    /// Handled by the terminal before the app sees a key (Ctrl-Z suspends); listed for the help only.
    case terminal
}

/// One row of the help overlay: the keys as written there and what they do.
package struct KeyHelp: Sendable, Hashable {
    package var keys: String
    package var text: String

    package init(_ keys: String, _ text: String) {
        self.keys = keys
        self.text = text
    }
}

/// A key binding: the keys, where they apply, their help row and what they do.
///
/// Several bindings may share one help row (`j k ↑ ↓` moves in the list and in the parameters); every
/// binding has one, so the help overlay, generated from the table, lists every key dispatch knows.
///
/// ```swift
/// KeyBinding([.char("["), .char("]")], .app, help) { k in .parameters(.adjustSelected(k == .char("]") ? 1 : -1)) }
/// ```
package struct KeyBinding: Sendable {
    package var keys: [Key]
    /// Any typed character (the search query); `keys` then lists none.
    package var anyCharacter: Bool
    package var scope: KeyScope
    package var help: KeyHelp
    /// When the binding applies (Esc dismisses a problem only while one is shown); always when nil.
    package var when: (@Sendable (AppState) -> Bool)?
    /// The message the key sends (nil when it sends none); the binding itself is nil for keys the terminal
    /// handles (``KeyScope/terminal``).
    package var action: (@Sendable (Key) -> Msg?)?

    package init(_ keys: [Key], _ scope: KeyScope, _ help: KeyHelp, anyCharacter: Bool = false,
                 when: (@Sendable (AppState) -> Bool)? = nil, action: (@Sendable (Key) -> Msg?)?) {
        self.keys = keys
        self.anyCharacter = anyCharacter
        self.scope = scope
        self.help = help
        self.when = when
        self.action = action
    }

    /// True when this binding takes `key` in `state`.
    package func matches(_ key: Key, _ state: AppState) -> Bool {
        let hit = keys.contains(key) || (anyCharacter && { if case .char = key { true } else { false } }())
        return hit && (when?(state) ?? true)
    }
}

extension Key {
    /// How the help writes the key: `j`, `↑`, `Esc`, `Shift-Tab`, `Ctrl-N`.
    package var name: String {
        switch self {
        case .char(let c): String(c)
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .ctrl(let c): "Ctrl-" + String(c).uppercased()
        case .function(let n): "F\(n)"
        }
    }
}
