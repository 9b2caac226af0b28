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

    package init(fixture: EvaluationFixture, state: AppState) {
        self.fixture = fixture
        self.state = state
    }

    package mutating func start() { handle(App.start(&state)) }

    package mutating func send(_ msg: Msg) { handle(App.update(&state, msg)) }

    package mutating func press(_ keys: String) { for c in keys { send(.key(.char(c))) } }

    package mutating func press(_ key: Key) { send(.key(key)) }

    private mutating func handle(_ new: [Effect]) {
        effects += new
        for e in new { for msg in fixture.answer(e) { send(msg) } }
    }
}
