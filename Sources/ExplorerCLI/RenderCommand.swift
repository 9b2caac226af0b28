import DuQuantCore
import ExplorerModel
import ExplorerRuntime
import ExplorerView
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `duquant-explorer render FILE --layer P --stage S [--size 120x40] [--ascii] [--color never|always]`:
/// the explorer's screen for one layer and stage, printed as text (or with ANSI 256-colour escapes).
///
/// It runs the same state, update and view as the live explorer, with the work done inline.
package enum RenderCommand {
    static let usage = """
        usage: duquant-explorer render FILE [--layer P] [--stage original|smoothed|rotation1|permutation|rotation2|error]
               [--size 120x40] [--ascii] [--color never|always|auto] [--theme NAME] [--compare] [--log|--linear] [parameters]
        """

    /// The rendered screen.
    package static func run(_ arguments: [String]) throws(CLIError) -> String {
        let options = try ExplorerOptions(arguments, command: "render")
        return try ParameterOptions.withMemoryBudget(bytes: options.memoryBudget) { () throws(CLIError) in try run(options) }
    }

    private static func run(_ options: ExplorerOptions) throws(CLIError) -> String {
        guard options.files.count >= 1 else { throw CLIError("render needs a FILE\n" + usage) }
        let source = try Commands.layerSource(options.files)
        // What the live explorer lists under `!` (a sidecar entry ignored, a layer skipped): said once.
        for problem in source.problems { CLI.writeErr("duquant-explorer: warning: \(problem)\n") }
        let (themes, themeIndex) = try options.themes()
        var state = try options.initialState(source, themes: themes, themeIndex: themeIndex)
        let attached = try ForwardModelBackend.attach(model: options.model, tokens: options.modelTokens, files: source.files,
                                                      budget: (options.memoryBudget ?? MemoryBudget.bytes) / 2)
        state.model = ModelPanelState(description: attached?.1)
        let colour: Bool
        switch options.color {
        case "always": colour = true
        case "never": colour = false
        default:
            let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
            colour = isatty(1) != 0 && !noColor
        }
        state.display.size = options.size ?? Size(width: 120, height: 40)
        // A printed screen cannot be enlarged: the live explorer's "Enlarge the window" page is no answer
        // here (it used to be printed with exit status 0).
        let need = ScreenLayout.minimum
        if state.display.size.width < need.width || state.display.size.height < need.height {
            throw CLIError("--size \(state.display.size.width)x\(state.display.size.height) is too small: the screen needs at least "
                + "\(need.width)x\(need.height)")
        }
        // The live explorer fills the list's max |x| and ratio by a background scan; a printed screen
        // gets them up front (cheap: one load and one statistics pass per layer). The error column is
        // filled for the layer shown, as the scan's DuQuant runs would cost seconds per layer.
        for i in state.shared.layers.indices {
            guard let (layer, _) = try? source.load(i) else { continue }
            let stats = ActivationStats.of(layer.input)
            state.shared.layers[i].summary = LayerSummary(maxAbs: stats.maxAbs, ratio: stats.ratio)
        }
        let grid = try render(&state, source: source, model: attached?.0, themes: themes, colourMode: colour ? .xterm256 : .mono)
        return colour ? grid.ansiText : plain(grid)
    }

    /// Opens the selected layer, computes it inline, plays `script` (tests drive keys so) and returns the
    /// screen.
    package static func render(_ state: inout AppState, source: LayerSource, model: ModelBackend? = nil, themes: [Theme],
                       colourMode: ColourMode, script: [ScriptedBackend.Step] = []) throws(CLIError) -> CellGrid {
        state.display.colourMode = colourMode
        let backend = ScriptedBackend(size: state.display.size, colourMode: colourMode, script: script)
        let start = App.start(&state).filter { $0.kind != .scan }
        let session = ExplorerSession(state: state, themes: themes, backend: backend, source: source, model: model,
                                      forcedMode: colourMode, synchronous: true)
        _ = session.run(initialEffects: start)
        state = session.state
        if let error = state.status.lastError { throw CLIError(error) }
        guard let frame = backend.lastFrame else { throw CLIError("nothing rendered") }
        return frame
    }

    /// The grid's text with trailing spaces removed from each line.
    static func plain(_ grid: CellGrid) -> String {
        var out = ""
        for y in 0..<grid.height {
            var line = grid.line(y)
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
