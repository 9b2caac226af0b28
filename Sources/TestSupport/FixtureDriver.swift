import DuQuantCore
import ExplorerModel

/// Drives `App.update` with scripted input and answers every effect from an ``EvaluationFixture``: the
/// explorer's logic as the run loop drives it, on fixed figures, without the numeric core or threads.
///
/// ```swift
/// var f = FixtureDriver(fixture: .threeLayers, state: state)
/// f.start()
/// f.press("5lllj")
/// ```
package struct FixtureDriver {
    package var state: AppState
    /// Every effect `update` asked for, in order.
    package private(set) var effects: [Effect] = []
    package let fixture: EvaluationFixture
    /// Answer effects as they come (otherwise they only accumulate in `effects`; `run` answers one).
    package var runEffects: Bool

    package init(fixture: EvaluationFixture, state: AppState, runEffects: Bool = true) {
        self.fixture = fixture
        self.state = state
        self.runEffects = runEffects
    }

    /// The fixture's layers, as a layer source would load them.
    package var layers: [LayerData] { fixture.layers.map(\.data) }

    /// Answers `effect` from the fixture and applies what it answers, in order.
    package mutating func run(_ effect: Effect) {
        for msg in fixture.answer(effect) { send(msg) }
    }

    package mutating func start() { handle(App.start(&state)) }

    package mutating func send(_ msg: Msg) { handle(App.update(&state, msg)) }

    package mutating func press(_ keys: String) { for c in keys { send(.key(.char(c))) } }

    package mutating func press(_ key: Key) { send(.key(key)) }

    private mutating func handle(_ new: [Effect]) {
        effects += new
        guard runEffects else { return }
        for e in new { run(e) }
    }
}
