import Testing
@testable import ExplorerView
import ExplorerModel

@Suite struct ColourTests {
    @Test func nearest256MapsCubeAndGreyExactly() {
        #expect(XTermPalette.nearest256(RGB(255, 0, 0)) == 196)
        #expect(XTermPalette.nearest256(RGB(0, 0, 0)) == 16)
        #expect(XTermPalette.nearest256(RGB(128, 128, 128)) == 244)
        for i in UInt8(16)...255 {
            #expect(XTermPalette.rgb(XTermPalette.nearest256(XTermPalette.rgb(i))) == XTermPalette.rgb(i))
        }
    }

    @Test func nearestANSIRespectsCount() {
        #expect(XTermPalette.nearestANSI(RGB(255, 255, 255)) == 15)
        #expect(XTermPalette.nearestANSI(RGB(255, 255, 255), count: 8) == 7)
        #expect(XTermPalette.nearestANSI(RGB(200, 10, 10), count: 8) == 1)
    }

    @Test func hexRoundTrips() {
        #expect(RGB(hex: "#0A0b0C") == RGB(10, 11, 12))
        #expect(RGB(hex: "#0A0B0C")?.description == "#0A0B0C")
        #expect(RGB(hex: "#12345") == nil)
        #expect(RGB(hex: "zzzzzz") == nil)
    }

    @Test func colourModeFollowsTerminal() {
        #expect(ColourMode.forTerminal(colours: 256, hasColours: true, noColor: false) == .xterm256)
        #expect(ColourMode.forTerminal(colours: 16, hasColours: true, noColor: false) == .ansi16)
        #expect(ColourMode.forTerminal(colours: 8, hasColours: true, noColor: false) == .ansi8)
        #expect(ColourMode.forTerminal(colours: 256, hasColours: true, noColor: true) == .mono)
        #expect(ColourMode.forTerminal(colours: 0, hasColours: false, noColor: false) == .mono)
    }
}
