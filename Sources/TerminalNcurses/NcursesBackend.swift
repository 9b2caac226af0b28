import CNcursesw
import ExplorerModel
import ExplorerRuntime
import ExplorerView
#if canImport(Glibc)
import Glibc
#endif

/// The terminal through ncursesw: blits cell-grid diffs, decodes keys, mouse and resizes, and restores the
/// terminal on quit, on SIGINT/SIGTERM/SIGHUP, and around Ctrl-Z.
///
/// ```swift
/// let term = try NcursesBackend.start(noColor: false)
/// defer { term.shutdown() }
/// term.draw(grid)
/// ```
package final class NcursesBackend: TerminalBackend {
    package private(set) var size: Size
    package private(set) var colourMode: ColourMode
    private var shown: CellGrid?
    private var pairs: [PairKey: Int32] = [:]
    private let signalFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var active = true

    struct PairKey: Hashable {
        var fg: Int16
        var bg: Int16
    }

    /// Why the terminal could not be started.
    package struct StartError: Error, CustomStringConvertible {
        package var description: String
    }

    /// Initialises ncurses on the controlling terminal.
    package static func start(noColor: Bool) throws -> NcursesBackend {
        try NcursesBackend(noColor: noColor)
    }

    private init(noColor: Bool) throws {
        _ = duq_set_locale_all()
        signalFD = SignalPipe.install(terminal: 1)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw StartError(description: "cannot create a pipe") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        setenv("ESCDELAY", "25", 0)
        guard initscr() != nil else { throw StartError(description: "ncurses could not initialise the terminal") }
        cbreak()
        noecho()
        nonl()
        keypad(duq_stdscr(), true)
        nodelay(duq_stdscr(), true)
        curs_set(0)
        SignalPipe.rememberRestoreText()
        var old: mmask_t = 0
        _ = mousemask(duq_all_mouse_events(), &old)
        mouseinterval(0)
        var hasColour = false
        if has_colors() {
            start_color()
            use_default_colors()
            hasColour = true
        }
        colourMode = ColourMode.forTerminal(colours: Int(duq_colors()), hasColours: hasColour, noColor: noColor)
        var h: Int32 = 0, w: Int32 = 0
        duq_getmaxyx(duq_stdscr(), &h, &w)
        size = Size(width: Int(w), height: Int(h))
    }

    deinit { shutdown() }

    package func shutdown() {
        guard active else { return }
        active = false
        // A further SIGINT/SIGTERM/SIGHUP from here on restores the terminal and ends the process at once,
        // with status 128 + N. The handlers stay until the process ends: with the default action back, a late
        // second Ctrl-C killed the process by signal, and an interactive shell then dropped the rest of the
        // command line (`app; echo $?` printed nothing) — seen once in 280 runs of the live-loop test.
        SignalPipe.leaving()
        endwin()
    }

    // MARK: Drawing

    package func draw(_ grid: CellGrid) {
        guard active else { return }
        let full = shown == nil || shown!.size != grid.size
        if full { erase() }
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if !full, let old = shown, old[x, y] == cell { continue }
                _ = duq_put_cell(Int32(y), Int32(x), cell.glyph.value, cell.mark?.value ?? 0, attributes(cell.style.attrs), pair(cell.style))
            }
        }
        refresh()
        shown = grid
    }

    /// Forgets what is on screen so the next draw repaints every cell.
    package func invalidate() {
        shown = nil
        clearok(duq_stdscr(), true)
    }

    private func attributes(_ a: CellAttributes) -> attr_t {
        var out = duq_a_normal()
        if a.contains(.bold) { out |= duq_a_bold() }
        if a.contains(.reverse) { out |= duq_a_reverse() }
        if a.contains(.underline) { out |= duq_a_underline() }
        if a.contains(.dim) { out |= duq_a_dim() }
        return out
    }

    private func pair(_ s: CellStyle) -> Int32 {
        guard colourMode != .mono else { return 0 }
        func index(_ c: Colour) -> Int16 {
            if case .index(let i) = c { return Int16(i) }
            return -1
        }
        let key = PairKey(fg: index(s.fg), bg: index(s.bg))
        if key.fg < 0 && key.bg < 0 { return 0 }
        if let p = pairs[key] { return p }
        let p = alloc_pair(Int32(key.fg), Int32(key.bg))
        let pair = p < 0 ? 0 : p
        pairs[key] = pair
        return pair
    }

    // MARK: Input

    package func makeWaker() -> @Sendable () -> Void {
        let fd = wakeWrite
        return {
            var b: UInt8 = 1
            _ = write(fd, &b, 1)
        }
    }

    package func events(timeoutMilliseconds: Int) -> [TerminalEvent] {
        guard active else { return [] }
        Hop.here()
        var out = readInput()
        if out.isEmpty {
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, nfds_t(fds.count), Int32(timeoutMilliseconds))
            // The terminal went away (window closed, ssh lost): poll reports a hang-up on every call from
            // now on, so leave as SIGHUP would rather than spin.
            if fds[0].revents & duq_pollhup() != 0 { return [.signal(.hangup)] }
            out = readInput()
        }
        var drained = false
        var b = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &b, b.count) > 0 { drained = true }
        if drained { out.append(.wake) }
        for sig in SignalPipe.take() {
            if sig == SignalPipe.stopSignal {
                suspend()
                out.append(.resize(size))
            } else if let e = SignalPipe.event(for: sig) {
                if e == .signal(.resumed) { invalidate() }
                out.append(e)
            }
        }
        return out
    }

    /// Ctrl-Z: give the terminal back, stop, and take it again on `fg`.
    private func suspend() {
        endwin()
        SignalPipe.stopSelf()
        refresh()
        var h: Int32 = 0, w: Int32 = 0
        duq_getmaxyx(duq_stdscr(), &h, &w)
        size = Size(width: Int(w), height: Int(h))
        invalidate()
    }

    private func readInput() -> [TerminalEvent] {
        var out: [TerminalEvent] = []
        while true {
            var ch: UInt32 = 0
            let r = duq_get_wch(&ch)
            if r == duq_err() { break }
            if r == duq_key_code_yes() {
                if let e = decodeKeyCode(Int32(bitPattern: ch)) { out.append(e) }
            } else if let e = KeyDecoding.character(ch) {
                out.append(.key(e))
            }
        }
        return out
    }

    private func decodeKeyCode(_ code: Int32) -> TerminalEvent? {
        if code == duq_key_resize() {
            var h: Int32 = 0, w: Int32 = 0
            duq_getmaxyx(duq_stdscr(), &h, &w)
            size = Size(width: Int(w), height: Int(h))
            shown = nil
            return .resize(size)
        }
        if code == duq_key_mouse() {
            var x: Int32 = 0, y: Int32 = 0
            var state: UInt = 0
            guard duq_get_mouse(&x, &y, &state) == OK else { return nil }
            let p = Point(x: Int(x), y: Int(y))
            let st = mmask_t(state)
            if st & duq_button4_pressed() != 0 { return .mouse(MouseEvent(.wheelUp, at: p)) }
            if st & duq_button5_pressed() != 0 { return .mouse(MouseEvent(.wheelDown, at: p)) }
            if st & (duq_button1_pressed() | duq_button1_clicked()) != 0 { return .mouse(MouseEvent(.press, at: p)) }
            return nil
        }
        return KeyDecoding.keyCode(code).map { .key($0) }
    }
}
