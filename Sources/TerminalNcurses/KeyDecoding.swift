import CNcursesw
import ExplorerModel

/// Turns ncurses key codes and wide characters into ``Key`` values.
enum KeyDecoding {
    static func character(_ ch: UInt32) -> Key? {
        switch ch {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(ch + 96)!))
        default:
            guard let s = Unicode.Scalar(ch), ch >= 32 else { return nil }
            return .char(Character(s))
        }
    }

    static func keyCode(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        default:
            for n in 1...12 where code == duq_key_f(Int32(n)) { return .function(n) }
            return nil
        }
    }
}
