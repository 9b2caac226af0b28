import DuQuantCore
import ExplorerModel
import Testing
import TestSupport
@testable import ExplorerView

/// The key table is the only place keys are bound, and the help overlay is generated from it: a key bound
/// without help, or a help row naming a key nothing binds, fails here.
@Suite struct KeyTableTests {
    /// The names a help row's key column stands for: `1–6` is six keys.
    static func names(inLabel label: String) -> [String] {
        label.split(separator: " ").flatMap { token -> [String] in
            let parts = token.split(separator: "–")
            if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a <= b { return (a...b).map(String.init) }
            return [String(token)]
        }
    }

    /// The words of a help row (its keys and its text), with the punctuation around them also taken off.
    static func words(_ help: KeyHelp) -> Set<String> {
        let raw = (names(inLabel: help.keys) + help.text.split(separator: " ").map(String.init))
        let trimmed = raw.map { $0.trimmingCharacters(in: ["(", ")", ",", ";", ":", "'"]) }
        return Set(raw + trimmed)
    }

    @Test func everyBoundKeyIsNamedInItsHelpRow() {
        for b in KeyTable.all {
            #expect(!b.help.text.isEmpty && !b.help.keys.isEmpty, "\(b.keys.map(\.name)) has no help")
            let words = Self.words(b.help)
            for key in b.keys { #expect(words.contains(key.name), "\(key.name) (\(b.scope)) is not named in \"\(b.help.keys)\": \(b.help.text)") }
            if b.anyCharacter { #expect(words.contains("type"), "typing is not mentioned in \(b.help.text)") }
        }
    }

    @Test func everyKeyAHelpRowListsIsBound() {
        for row in KeyTable.helpRows {
            let bound = Set(KeyTable.all.filter { $0.help == row }.flatMap { $0.keys.map(\.name) })
            for name in Self.names(inLabel: row.keys) { #expect(bound.contains(name), "help lists \(name) but no binding of that row has it") }
        }
    }

    @Test func theHelpOverlayListsEveryRowOfTheTable() {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        f.press("?")
        var text = ""
        for scroll in stride(from: 0, to: 120, by: 10) {
            f.state.overlays.scroll = scroll
            text += f.render().text
        }
        for row in KeyTable.helpRows { #expect(text.contains(row.keys + " "), "\(row.keys) is not in the help overlay") }
        // The keys the first hand-written list left out.
        for name in ["Shift-Tab", "Ctrl-Z", "Esc"] { #expect(text.contains(name), "\(name)") }
    }

    /// No key collides within a scope: the first binding would silently win over the second.
    @Test func noKeyIsBoundTwiceInAScopeWithoutACondition() {
        for scope in KeyScope.allCases {
            var seen: Set<Key> = []
            for b in KeyTable.all where b.scope == scope && b.when == nil {
                for key in b.keys {
                    #expect(!seen.contains(key), "\(key.name) bound twice in \(scope)")
                    seen.insert(key)
                }
            }
        }
    }

    /// Every key dispatch knows is in the table: in each mode, a key no active binding takes leaves the
    /// screen as it was and asks for nothing (dispatch has no path of its own).
    @Test(arguments: ["layers", "heatmap", "params", "step", "help", "problems"])
    func keysOutsideTheTableDoNothing(mode: String) {
        var f = ScreenFixture(size: Size(width: 100, height: 30))
        switch mode {
        case "heatmap": f.press(.enter)
        case "params": f.press("p")
        case "step": f.press("s")
        case "help": f.press("?")
        case "problems": f.press("!")
        default: break
        }
        var keys: [Key] = [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .escape, .tab, .backTab,
                           .backspace, .delete, .function(1), .function(5)]
        keys += (33...126).map { Key.char(Character(UnicodeScalar($0)!)) } + "abcdefghijklmnopqrstuvwxyz".map { Key.ctrl($0) }
        f.state.status.notice = nil
        let before = f.render().text
        for key in keys where KeyTable.binding(for: key, in: f.state) == nil {
            var g = f
            g.press(key)
            #expect(g.effects.count == f.effects.count, "\(key.name) in \(mode) asked for work")
            #expect(g.render().text == before, "\(key.name) in \(mode) changed the screen")
        }
    }
}
