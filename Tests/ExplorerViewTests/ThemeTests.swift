import Foundation
import Testing
@testable import ExplorerView
import ExplorerModel

@Suite struct ThemeTests {
    static let themesDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes")

    @Test func parsesKeysCommentsAndDefaults() throws {
        let t = try Theme.parse(name: "x", text: """
            # comment
            theme[main_bg]="#102030"
              theme[main_fg] = ""
            theme[heat_1]="#FFFFFF"
            theme[heat_0]="#000000"
            """)
        #expect(t.colour("main_bg") == RGB(16, 32, 48))
        #expect(t.colour("main_fg") == nil)
        #expect(t.heat == [RGB(0, 0, 0), RGB(255, 255, 255)])
    }

    @Test func rejectsBadLinesWithLineNumbers() {
        #expect(throws: Theme.ParseError(line: 2, message: "unknown key nope")) {
            try Theme.parse(name: "x", text: "theme[main_bg]=\"#000000\"\ntheme[nope]=\"#000000\"")
        }
        #expect(throws: Theme.ParseError.self) { try Theme.parse(name: "x", text: "theme[main_bg]=\"red\"") }
        #expect(throws: Theme.ParseError.self) { try Theme.parse(name: "x", text: "main_bg=#000000") }
        #expect(throws: Theme.ParseError.self) { try Theme.parse(name: "x", text: "theme[heat_0]=\"#000000\"") }
    }

    @Test func builtinThemesEqualTheFilesInThemesFolder() throws {
        for (name, text) in Theme.builtinSources {
            let file = try String(contentsOf: Self.themesDir.appendingPathComponent(name + ".theme"), encoding: .utf8)
            #expect(file.trimmingCharacters(in: .newlines) == text.trimmingCharacters(in: .newlines),
                    "themes/\(name).theme changed: run tools/embed-themes.sh")
        }
    }

    @Test func everyBuiltinThemeParsesAndMonoHasNoRamp() throws {
        let themes = try ThemeLibrary.builtin()
        #expect(themes.map(\.name) == ["dark", "light", "viridis", "mono"])
        for t in themes where t.name != "mono" { #expect(t.heat.count >= 2) }
        let mono = try #require(themes.first { $0.name == "mono" })
        #expect(Palette(theme: mono, mode: .xterm256).asciiHeat)
        #expect(Palette(theme: themes[0], mode: .mono).asciiHeat)
        #expect(!Palette(theme: themes[0], mode: .ansi16).asciiHeat)
    }
}
