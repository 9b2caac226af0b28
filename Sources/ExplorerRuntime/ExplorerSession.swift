import ExplorerModel
import ExplorerView
import Foundation

/// The run loop: draw the state, wait for input or results, update, run effects; until quit.
///
/// ```swift
/// let session = ExplorerSession(state: state, themes: themes, backend: term, source: source)
/// let status = session.run()
/// ```
package final class ExplorerSession {
    package private(set) var state: AppState
    private let themes: [Theme]
    private let backend: TerminalBackend
    private let inbox: Inbox
    private let executor: EffectExecutor
    private var exitCode: Int32 = 0
    /// Colour mode forced from the command line (`--color never`), else the terminal's.
    private let forcedMode: ColourMode?
    private let synchronous: Bool
    /// The heatmap's pools, kept between frames while the matrix, its window and the pane size stay.
    private var heatCache = HeatCache()

    package init(state: AppState, themes: [Theme], backend: TerminalBackend, source: LayerSource,
                model: ModelBackend? = nil, forcedMode: ColourMode? = nil, synchronous: Bool = false) {
        self.state = state
        self.themes = themes
        self.backend = backend
        self.forcedMode = forcedMode
        self.synchronous = synchronous
        let inbox = Inbox(wake: backend.makeWaker())
        self.inbox = inbox
        executor = EffectExecutor(source: source, model: model, synchronous: synchronous) { inbox.post($0) }
    }

    /// Runs until the user quits or a signal arrives; returns the exit status (0, or 128 + signal).
    package func run(initialEffects: [Effect]? = nil) -> Int32 {
        state.display.size = backend.size
        state.display.colourMode = forcedMode ?? backend.colourMode
        let start = initialEffects ?? App.start(&state)
        start.forEach(executor.run)
        process(inbox.drain())
        var dirty = true
        while !state.quitting {
            if dirty {
                Hop.here("draw")
                backend.draw(Screen.render(state, theme: theme, cache: &heatCache))
                dirty = false
            }
            var msgs: [Msg] = []
            for event in backend.events(timeoutMilliseconds: 1000) {
                switch event {
                case .key(let k): msgs.append(.key(k))
                case .mouse(let m): msgs.append(.mouse(m))
                case .resize(let s): msgs.append(.resize(s))
                case .wake: break
                case .signal(.resumed): dirty = true
                case .signal(.interrupt): leave(130)
                case .signal(.terminate): leave(143)
                case .signal(.hangup): leave(129)
                }
            }
            msgs += inbox.drain()
            if !msgs.isEmpty { dirty = true }
            process(msgs)
        }
        executor.cancelAll()
        backend.shutdown()
        return exitCode
    }

    /// Applies messages in order; with inline work, keeps going until no result is pending.
    private func process(_ msgs: [Msg]) {
        var queue = msgs
        while !queue.isEmpty {
            for msg in queue where !state.quitting {
                Hop.here()
                App.update(&state, TopBar.message(for: msg, in: state)).forEach(executor.run)
            }
            queue = synchronous ? inbox.drain() : []
        }
    }

    private func leave(_ code: Int32) {
        exitCode = code
        state.quitting = true
    }

    private var theme: Theme {
        themes.first { $0.name == state.theme.name } ?? themes.first ?? Theme(name: "none")
    }
}
