import CNcursesw
import ExplorerModel
import Testing
@testable import TerminalNcurses

/// ncurses key codes and wide characters into the explorer's keys, without a terminal.
@Suite struct KeyDecodingTests {
    @Test func controlCharactersAreNamedKeys() {
        #expect(KeyDecoding.character(9) == .tab)
        #expect(KeyDecoding.character(13) == .enter)
        #expect(KeyDecoding.character(27) == .escape)
        #expect(KeyDecoding.character(127) == .backspace)
        #expect(KeyDecoding.character(3) == .ctrl("c"))
    }

    @Test func printableCharactersAreThemselvesAndOthersNothing() {
        #expect(KeyDecoding.character(UInt32(Character("]").asciiValue!)) == .char("]"))
        #expect(KeyDecoding.character(0x00E9) == .char("é"))
        #expect(KeyDecoding.character(31) == nil)
    }

    @Test func keyCodesIncludingFunctionKeys() {
        #expect(KeyDecoding.keyCode(KEY_UP) == .up)
        #expect(KeyDecoding.keyCode(KEY_NPAGE) == .pageDown)
        #expect(KeyDecoding.keyCode(KEY_BTAB) == .backTab)
        #expect(KeyDecoding.keyCode(duq_key_f(5)) == .function(5))
        #expect(KeyDecoding.keyCode(-1) == nil)
    }
}
