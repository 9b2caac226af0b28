import Foundation
#if canImport(Glibc)
import Glibc
#endif
import DuQuantCore
import DuQuantIO
import ExplorerRuntime

/// Helpers the subcommands share.
package enum Commands {
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
        let names = dump.layers.map(\.name)
        for name in asked {
            switch LayerMatch(name, in: names) {
            case .found(let i) where names[i] == name:
                let exact = dump.layers[i]
                guard exact.isLoadable else { throw CLIError("\(path): layer \(shown(name)): \(shown(exact.problem ?? "unusable"))") }
                out.append(name)
            case .found(let i): out.append(names[i])
            case .none: throw CLIError("\(path): no layer named '\(shown(name))' (see: duquant-explorer list \(shellWord(path)))")
            case .ambiguous(let hits): throw CLIError("\(path): " + ambiguous(name, hits, names: names))
            }
        }
        return out
    }

    /// `'P' matches 7 layers: a, b, c, d, …`: the first four names `query` matches (indices `hits` of `names`).
    static func ambiguous(_ query: String, _ hits: [Int], names: [String]) -> String {
        "'\(DisplayText.escaped(query))' matches \(hits.count) layers: "
            + hits.prefix(4).map { DisplayText.escaped(names[$0]) }.joined(separator: ", ") + (hits.count > 4 ? ", …" : "")
    }

    /// `path` as one word of a shell command (single-quoted when it holds anything but safe characters).
    static func shellWord(_ path: String) -> String {
        let safe = path.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "/._-+,:@".unicodeScalars.contains($0) }
        return safe && !path.isEmpty ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The files `paths` stand for: each path itself, or the sample files of a directory
    /// (``expandingSampleDirectory(_:)``).
    static func expanding(_ paths: [String]) -> [String] { paths.flatMap(expandingSampleDirectory) }

    /// Opens `paths` as the explorer's layer source; its error becomes the command's.
    package static func layerSource(_ paths: [String]) throws(CLIError) -> DumpLayerSource {
        do { return try DumpLayerSource(paths: expanding(paths)) } catch { throw CLIError(error.message) }
    }

    /// A directory without `.npy` files but with `.safetensors` or `.npz` files (such as `samples/toy`)
    /// stands for those files, in name order; any other path stands for itself.
    static func expandingSampleDirectory(_ path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue,
              let names = try? FileManager.default.contentsOfDirectory(atPath: path),
              !names.contains(where: { $0.hasSuffix(".npy") }) else { return [path] }
        let files = names.filter { $0.hasSuffix(".safetensors") || $0.hasSuffix(".npz") }.sorted()
        guard !files.isEmpty else { return [path] }
        let dir = path.hasSuffix("/") ? String(path.dropLast()) : path
        return files.map { dir + "/" + $0 }
    }

    /// Throws when evaluating layer `name` of `dump` would exceed the memory budget (checked from the
    /// shapes, before anything is loaded or allocated).
    static func checkEvaluationBudget(_ name: String, in dump: DumpFile) throws(CLIError) {
        if let problem = dump.evaluationBudgetProblem(layer: name) { throw CLIError(problem) }
    }

    /// Throws the one-line reason when calibrating `method`'s transform of layer `name` would not fit the memory budget.
    static func checkTransformBudget(_ name: String, in dump: DumpFile, method: Method) throws(CLIError) {
        if let problem = dump.transformBudgetProblem(layer: name, method: method) { throw CLIError(problem) }
    }

    /// One line per tensor of `layer` whose non-finite values were replaced by 0 (empty when all finite).
    static func nonFiniteNotes(_ reports: [NonFiniteReport]) -> [String] {
        reports.map(\.summary)
    }

    /// Throws unless `path` is an existing directory: options naming one are checked before any work
    /// (`bench --samples /dev/zero` used to run for minutes before failing on it).
    package static func requireDirectory(_ path: String, option: String) throws(CLIError) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw CLIError("\(option) \(DisplayText.escaped(path)): \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw CLIError("\(option) \(DisplayText.escaped(path)): not a directory (it should hold the sample dumps)")
        }
    }

    /// Where a sidecar of the dump at `path` is looked for (``Sidecar``), whether or not one is there.
    static func sidecarCandidates(of path: String) -> [String] {
        var st = stat()
        let isDirectory = stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
        return Sidecar.candidates(for: path, isDirectory: isDirectory).filter { $0 != path }
    }

    /// Whether two paths name the same existing file (same device and inode, through links).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}
