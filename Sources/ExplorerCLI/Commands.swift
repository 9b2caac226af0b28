#if canImport(Glibc)
import Glibc
#endif
import DuQuantCore
import DuQuantIO

/// Helpers the subcommands share.
enum Commands {
    /// Opens a dump, turning its error into a one-line CLI error.
    static func open(_ path: String) throws(CLIError) -> DumpFile {
        do { return try DumpFile.open(path) } catch { throw CLIError(error.description) }
    }

    /// The layers a command works on: those named (exact, or a unique substring), else every usable one.
    static func layerNames(_ asked: [String], in dump: DumpFile) throws(CLIError) -> [String] {
        let path = DisplayText.escaped(dump.path)
        func shown(_ s: String) -> String { DisplayText.escaped(s) }
        if asked.isEmpty {
            let usable = dump.layers.filter(\.isLoadable).map(\.name)
            guard !usable.isEmpty else { throw CLIError("\(path): no usable layers (a layer is P.input with optional P.weight)") }
            return usable
        }
        var out: [String] = []
        for name in asked {
            if let exact = dump.layer(named: name) {
                guard exact.isLoadable else { throw CLIError("\(path): layer \(shown(name)): \(shown(exact.problem ?? "unusable"))") }
                out.append(name)
                continue
            }
            let matches = dump.layers.filter { $0.name.contains(name) }
            switch matches.count {
            case 1: out.append(matches[0].name)
            case 0: throw CLIError("\(path): no layer named '\(shown(name))' (see: duquant-explorer list \(path))")
            default:
                throw CLIError("\(path): '\(shown(name))' matches \(matches.count) layers: "
                    + matches.prefix(4).map { shown($0.name) }.joined(separator: ", ") + (matches.count > 4 ? ", …" : ""))
            }
        }
        return out
    }

    /// Throws when evaluating layer `name` of `dump` would exceed the memory budget (checked from the
    /// shapes, before anything is loaded or allocated).
    static func checkEvaluationBudget(_ name: String, in dump: DumpFile) throws(CLIError) {
        guard let info = dump.layer(named: name) else { return }
        let need = MemoryBudget.evaluationBytes(tokens: info.tokens, inFeatures: info.inFeatures, outFeatures: info.outFeatures)
        if let problem = MemoryBudget.problem(needing: need, for: "layer \(DisplayText.escaped(name)) (\(info.shapeText))") {
            throw CLIError("\(DisplayText.escaped(dump.path)): \(problem)")
        }
    }

    /// One line per tensor of `layer` whose non-finite values were replaced by 0 (empty when all finite).
    static func nonFiniteNotes(_ reports: [NonFiniteReport]) -> [String] {
        reports.map(\.summary)
    }

    /// Throws unless `path` is an existing directory: options naming one are checked before any work
    /// (`bench --samples /dev/zero` used to run for minutes before failing on it).
    static func requireDirectory(_ path: String, option: String) throws(CLIError) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw CLIError("\(option) \(DisplayText.escaped(path)): \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw CLIError("\(option) \(DisplayText.escaped(path)): not a directory (it should hold the sample dumps)")
        }
    }

    /// Whether two paths name the same existing file (same device and inode, through links).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}
