import DuQuantCore
import ExplorerModel
import ExplorerRuntime
import ExplorerView
import Foundation
import TerminalNcurses
#if canImport(Glibc)
import Glibc
#endif

/// `duquant-explorer FILE… [options]`: the full-screen explorer.
package enum ExplorerCommand {
    /// Opens the explorer on `arguments` (files and options, without the program name) and returns the
    /// exit status: 0 on quit, 2 on a usage or file error or without a terminal, 128+N after signal N.
    package static func run(_ arguments: [String]) -> Int32 {
        do {
            let options = try ExplorerOptions(arguments, command: "explorer")
            guard !options.files.isEmpty else { throw CLIError("the explorer needs at least one FILE") }
            if let problem = terminalProblem() {
                CLI.writeErr("duquant-explorer: \(problem); for text output use 'duquant-explorer report FILE' "
                    + "or 'duquant-explorer render FILE --layer P --stage S'\n")
                return 2
            }
            let source = try Commands.layerSource(options.files)
            let (themes, themeIndex) = try options.themes()
            var state = try options.initialState(source, themes: themes, themeIndex: themeIndex)
            let attached = try ForwardModelBackend.attach(model: options.model, tokens: options.modelTokens, files: source.files,
                                                          budget: (options.memoryBudget ?? MemoryBudget.bytes) / 2)
            let model = attached?.0
            state.model = ModelPanelState(description: attached?.1)
            // The status bar shows the first problem until dismissed; `!` lists them all.
            state.status.problems = source.problems
            state.status.lastError = source.problems.first.map { first in
                first + (source.problems.count > 1 ? " (+\(source.problems.count - 1) more)" : "")
            }
            let env = ProcessInfo.processInfo.environment
            let noColor = (env["NO_COLOR"].map { !$0.isEmpty } ?? false) || options.color == "never"
            let backend: NcursesBackend
            do { backend = try NcursesBackend.start(noColor: noColor) } catch {
                throw CLIError("cannot start the terminal UI: \(error)")
            }
            let session = ExplorerSession(state: state, themes: themes, backend: backend, source: source, model: model)
            return session.run()
        } catch let error as CLIError {
            CLI.writeErr("duquant-explorer: \(error.message)\n")
            return 2
        } catch {
            CLI.writeErr("duquant-explorer: \(error)\n")
            return 2
        }
    }

    /// Why the explorer cannot draw here (stdin/stdout not a terminal, TERM unset or dumb), or nil.
    static func terminalProblem() -> String? {
        if isatty(1) == 0 { return "stdout is not a terminal" }
        if isatty(0) == 0 { return "stdin is not a terminal" }
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        if term.isEmpty || term == "dumb" { return "TERM is \(term.isEmpty ? "not set" : "dumb")" }
        return Terminfo.problem(term: term)
    }
}
