import DuQuantCore
import DuQuantIO
import ExplorerModel
import ExplorerRuntime
import ExplorerView
import Foundation

/// Options shared by the explorer and its headless twin `render`.
struct ExplorerOptions {
    static let names: Set<String> = ParameterOptions.names.union(["theme", "layer", "stage", "color", "size"])
    static let flags: Set<String> = ParameterOptions.flags.union(["ascii", "compare", "log"])

    var files: [String]
    var params: QuantParams
    var theme: String?
    var layer: String?
    var stage: Stage
    var color: String
    var ascii: Bool
    var compare: Bool
    var log: Bool
    var size: Size?

    init(_ args: [String], command: String) throws(CLIError) {
        let a = try Arguments.parse(args, options: ExplorerOptions.names, flags: ExplorerOptions.flags, command: command)
        files = a.positionals
        params = try ParameterOptions.params(from: a)
        // The live explorer's work runs on its executor's threads: its budget is process-wide.
        // (`render` runs inline, inside the scoped budget `CLI.dispatch` binds.)
        if command == "explorer", let budget = try ParameterOptions.applyMemoryBudget(a) { MemoryBudget.set(budget) }
        theme = a.value("theme")
        layer = a.value("layer")
        let stageName = a.value("stage") ?? "original"
        guard let s = Stage.allCases.first(where: { $0.key == stageName || String($0.rawValue + 1) == stageName }) else {
            throw CLIError("--stage must be one of \(Stage.allCases.map(\.key).joined(separator: "|")) (got '\(stageName)')")
        }
        stage = s
        color = a.value("color") ?? "auto"
        guard ["auto", "never", "always"].contains(color) else {
            throw CLIError("--color must be never, always or auto (got '\(color)')")
        }
        ascii = a.flag("ascii")
        compare = a.flag("compare")
        log = a.flag("log")
        if let text = a.value("size") {
            guard let s = Size(parsing: text) else { throw CLIError("--size must look like 120x40 (got '\(text)')") }
            guard s.width <= 1000, s.height <= 500 else { throw CLIError("--size is at most 1000x500 (got '\(text)')") }
            size = s
        }
    }

    /// The themes on offer, and the index of the chosen one.
    func themes() throws(CLIError) -> (themes: [Theme], index: Int) {
        let path = ThemeFiles.searchPath(executable: CommandLine.arguments.first ?? "",
                                           environment: ProcessInfo.processInfo.environment)
        let (themes, _) = ThemeFiles.load(directories: path)
        guard let theme else { return (themes, 0) }
        guard let i = themes.firstIndex(where: { $0.name == theme }) else {
            throw CLIError("--theme: no theme named '\(DisplayText.escaped(theme))' (have: "
                + themes.map { DisplayText.escaped($0.name) }.joined(separator: ", ") + ")")
        }
        return (themes, i)
    }

    /// The initial state for `source`, with the chosen layer selected.
    func initialState(_ source: LayerSource, themes: [Theme], themeIndex: Int) throws(CLIError) -> AppState {
        var state = AppState(files: source.files, layers: source.entries,
                             themes: themes.map { ThemeChoice(name: $0.name, hasRamp: $0.heat.count >= 2) })
        state.themeIndex = themeIndex
        state.modelEvaluation = source.modelEvaluation
        state.params = params
        state.stage = stage
        state.ascii = ascii
        state.scale = log ? .log : .linear
        state.compare = compare
        if compare && stage == .original { state.stage = .rotation2 }
        if let layer {
            switch LayerMatch(layer, in: source.entries.map(\.name)) {
            case .found(let i): state.selected = i
            case .none: throw CLIError("no layer named '\(layer)' (see: duquant-explorer list FILE)")
            case .ambiguous(let hits): throw CLIError("'\(layer)' matches \(hits.count) layers; be more specific")
            }
        }
        return state
    }
}
