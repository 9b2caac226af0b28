import ExplorerCLI
import ExplorerModel
import ExplorerRuntime
import ExplorerView

/// The frame-composition part of `bench`: `Screen.render` of a computed 200×60 explorer state.
enum BenchFrame {
    /// The frame size the target is stated for.
    static let size = Size(width: 200, height: 60)

    /// Median seconds of composing the frame of `file`'s first layer at each stage (state computed
    /// beforehand, as after the effects of opening it), keyed by stage name.
    static func measure(file: String, runs: Int) throws(CLIError) -> [(stage: String, seconds: Double)] {
        var out: [(String, Double)] = []
        for stage in ["original", "rotation2", "error"] {
            let options = try ExplorerOptions([file, "--stage", stage], command: "bench")
            let source = try Commands.layerSource(options.files)
            let (themes, themeIndex) = try options.themes()
            var state = try options.initialState(source, themes: themes, themeIndex: themeIndex)
            state.display.size = size
            _ = try RenderCommand.render(&state, source: source, themes: themes, colourMode: .xterm256)
            let theme = themes[themeIndex], computed = state
            _ = Screen.render(computed, theme: theme)  // warm-up
            out.append((stage, BenchClock.median(runs: max(5, runs)) { _ = Screen.render(computed, theme: theme) }))
        }
        return out
    }
}
