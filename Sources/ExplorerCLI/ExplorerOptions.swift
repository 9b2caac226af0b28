import DuQuantCore
import DuQuantIO
import ExplorerModel
import ExplorerRuntime
import ExplorerView
import Foundation

/// Options shared by the explorer and its headless twin `render`.
package struct ExplorerOptions {
    static let names: Set<String> = ParameterOptions.names.union(["theme", "layer", "stage", "color", "size", "calib-tokens", "model", "model-tokens"])
    static let flags: Set<String> = ParameterOptions.flags.union(["ascii", "compare", "log", "linear"])

    package var files: [String]
    var params: QuantParams
    var theme: String?
    var layer: String?
    var stage: Stage
    var color: String
    var ascii: Bool
    var compare: Bool
    var log: Bool
    var linear: Bool
    var size: Size?
    /// Tokens held out (`A:B`, `even`, `odd`): the Methods table adds fit and held-out rows.
    var heldOut: HeldOutMode?
    /// Parameter options given on the command line (a sidecar's `parameters` apply to the others).
    var givenParameters: Set<String>
    /// `--memory-budget SIZE`, in bytes (nil: the default).
    package var memoryBudget: Int?
    /// `--model DIR`: the dump's model (a Hugging Face checkpoint), for the Model panel.
    package var model: String?
    /// `--model-tokens FILE`: the Model panel's evaluation tokens (a JSON array of ids, or `token_ids`).
    package var modelTokens: String?

    package init(_ args: [String], command: String) throws(CLIError) {
        let a = try Arguments.parse(args, options: ExplorerOptions.names, flags: ExplorerOptions.flags, command: command)
        files = a.positionals
        params = try ParameterOptions.params(from: a)
        givenParameters = Set(a.options.keys).union(a.flags)
        memoryBudget = try ParameterOptions.applyMemoryBudget(a)
        // The live explorer's work runs on its executor's threads: its budget is process-wide.
        // (`render` runs inline, inside a budget scoped to its thread.)
        if command == "explorer", let memoryBudget { MemoryBudget.set(memoryBudget) }
        model = a.value("model")
        modelTokens = a.value("model-tokens")
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
        if let spec = a.value("calib-tokens") {
            // The range is checked against each layer's tokens when it opens; the form is checked now.
            do { try TokenSplit.checkForm(spec) } catch { throw CLIError(error.message) }
            heldOut = HeldOutMode(parsing: spec)
        }
        linear = a.flag("linear")
        if log && linear { throw CLIError("--log and --linear: choose one") }
        if let text = a.value("size") {
            guard let s = Size(parsing: text) else { throw CLIError("--size must look like 120x40 (got '\(text)')") }
            guard s.width <= 1000, s.height <= 500 else { throw CLIError("--size is at most 1000x500 (got '\(text)')") }
            size = s
        }
    }

    /// `p` with the sidecar's parameters that the command line did not give, and those applied as text.
    static func applying(_ sidecar: Sidecar, to p: QuantParams, except given: Set<String>) throws(CLIError) -> (QuantParams, [String]) {
        var p = p
        var applied: [String] = []
        for (name, value) in sidecar.parameters where !given.contains(name) {
            guard let spec = ParameterSpec.named(name) else {
                throw CLIError("\(sidecar.path): sidecar parameter '\(DisplayText.escaped(name))' is not an option")
            }
            do { try spec.parse(value, into: &p) } catch {
                throw CLIError("\(sidecar.path): sidecar parameter \(name): \(error.message)")
            }
            applied.append(spec.isFlag ? "--\(name)" : "--\(name) \(value)")
        }
        do { try p.validate() } catch { throw CLIError("\(sidecar.path): \(error.message)") }
        return (p, applied)
    }

    /// Whether the teaching view prints every value of these layers on a 120×40 screen (the render default),
    /// and so shows a sample's explanation under them; otherwise the explanation is only in the help, and
    /// the status bar points there.
    static func printsEveryValue(_ layers: [LayerEntry], _ p: QuantParams) -> Bool {
        let area = ScreenLayout(size: Size(width: 120, height: 40), compare: false).heat
        return layers.allSatisfy { TeachingGrid(tokens: 0..<$0.tokens, channels: 0..<$0.inFeatures, block: p.block, area: area) != nil }
    }

    /// The themes on offer, and the index of the chosen one.
    package func themes() throws(CLIError) -> (themes: [Theme], index: Int) {
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
    package func initialState(_ source: LayerSource, themes: [Theme], themeIndex: Int) throws(CLIError) -> AppState {
        var state = AppState(files: source.files, layers: source.entries,
                             themes: themes.map { ThemeChoice(name: $0.name, hasRamp: $0.heat.count >= 2) })
        state.display.themeIndex = themeIndex
        state.shared.modelEvaluation = source.modelEvaluation
        state.shared.params = params
        state.heatmap.stage = stage
        state.display.ascii = ascii
        if log { state.heatmap.scaleChoice = .log }
        if linear { state.heatmap.scaleChoice = .linear }
        // A sample's sidecar may name the parameters it is meant to be seen with, and say what it shows.
        for f in source.files.indices {
            if let text = source.sidecar(file: f)?.explanation { state.shared.explanations[f] = text }
        }
        for f in source.files.indices {
            guard let sidecar = source.sidecar(file: f) else { continue }
            let (p, applied) = try ExplorerOptions.applying(sidecar, to: params, except: givenParameters)
            if !applied.isEmpty {
                let hint = sidecar.explanation != nil && !Self.printsEveryValue(source.entries.filter { $0.file == f }, p)
                    ? " · ? explains" : ""
                state.shared.presets[f] = Preset(params: p, source: SidecarParameters.note(SidecarParameters.fileName(sidecar.path), applied) + hint)
            }
        }
        state.heatmap.compare = compare
        state.methods.heldOutMode = heldOut
        if compare && stage == .original { state.heatmap.stage = .rotation2 }
        if let layer {
            let names = source.entries.map(\.name)
            switch LayerMatch(layer, in: names) {
            case .found(let i): state.list.selected = i
            case .none:
                throw CLIError("no layer named '\(DisplayText.escaped(layer))' (see: duquant-explorer list "
                    + files.map { Commands.shellWord(DisplayText.escaped($0)) }.joined(separator: " ") + ")")
            case .ambiguous(let hits):
                throw CLIError(Commands.ambiguous(layer, hits, names: names) + "; be more specific")
            }
        }
        if state.shared.layers.indices.contains(state.list.selected), let preset = state.shared.presets[state.shared.layers[state.list.selected].file] {
            state.shared.params = preset.params
            state.status.notice = preset.source
        }
        return state
    }
}
