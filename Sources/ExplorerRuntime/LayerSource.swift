import DuQuantCore
import DuQuantIO
import ExplorerModel

/// Where the explorer's layers come from: the list, and a way to load one (from any thread).
package protocol LayerSource: Sendable {
    /// Display names of the opened files.
    var files: [String] { get }
    /// The layers, in list order.
    var entries: [LayerEntry] { get }
    /// One line per file that could not be opened or layer that cannot be used (shown, not fatal).
    var problems: [String] { get }
    /// Loads layer `index` and, when the dump has a sidecar, its token texts.
    func load(_ index: Int) throws(LayerSourceError) -> (LayerData, [String]?)
    /// The sidecar of file `file`, if it has one.
    func sidecar(file: Int) -> Sidecar?
    /// Model-level figures per method from the first sidecar that has them (`make eval`).
    var modelEvaluation: ModelEvaluation? { get }
}

/// Layers of one or more dump files opened with DuQuantIO.
package final class DumpLayerSource: LayerSource {
    package let files: [String]
    package let entries: [LayerEntry]
    package let problems: [String]
    private let dumps: [DumpFile?]
    private let names: [(file: Int, name: String)]

    /// Opens every path. A file that cannot be opened, or a layer that cannot be used, becomes a problem
    /// line and the rest stay usable; only when nothing is usable does it fail, with the first problem.
    package init(paths: [String]) throws(LayerSourceError) {
        var dumps: [DumpFile?] = []
        var entries: [LayerEntry] = []
        var names: [(Int, String)] = []
        var problems: [String] = []
        for (f, path) in paths.enumerated() {
            let dump: DumpFile
            do { dump = try DumpFile.open(path) } catch {
                problems.append(error.description)
                dumps.append(nil)
                continue
            }
            dumps.append(dump)
            problems += dump.warnings.map(\.description)
            for info in dump.layers {
                guard info.isLoadable else {
                    problems.append("\(path): layer \(info.name) skipped: \(info.problem ?? "unusable")")
                    continue
                }
                entries.append(LayerEntry(file: f, name: info.name, kind: info.moduleKind.rawValue, tokens: info.tokens,
                                          inFeatures: info.inFeatures, outFeatures: info.outFeatures))
                names.append((f, info.name))
            }
        }
        guard !entries.isEmpty else {
            throw LayerSourceError(problems.first.map { $0 + (problems.count > 1 ? " (and \(problems.count - 1) more problems)" : "") }
                ?? "\(paths.joined(separator: ", ")): no usable layers (a layer is P.input with optional P.weight)")
        }
        self.files = paths
        self.problems = problems
        self.dumps = dumps
        self.entries = entries
        self.names = names
    }

    package func sidecar(file: Int) -> Sidecar? {
        dumps.indices.contains(file) ? dumps[file]?.sidecar : nil
    }

    package func load(_ index: Int) throws(LayerSourceError) -> (LayerData, [String]?) {
        let (f, name) = names[index]
        guard let dump = dumps[f] else { throw LayerSourceError("\(files[f]): not open") }
        if let problem = dump.evaluationBudgetProblem(layer: name) { throw LayerSourceError(problem) }
        let layer: LayerData
        do { layer = try dump.loadLayer(name) } catch { throw LayerSourceError(error.description) }
        // The texts of this layer's rows (a sidecar may list more tokens than a layer has).
        return (layer, dump.sidecar?.tokens.map { Array($0.prefix(layer.tokens)) })
    }

    package var modelEvaluation: ModelEvaluation? { dumps.lazy.compactMap { $0?.sidecar?.modelEvaluation }.first }
}

extension LayerSource {
    /// No problems unless a source reports some.
    package var problems: [String] { [] }

    /// No sidecar unless a source has one.
    package func sidecar(file: Int) -> Sidecar? { nil }
    /// No model-level figures unless a source has some.
    package var modelEvaluation: ModelEvaluation? { nil }
}

/// Why a layer source could not open its files or load a layer: one line, shown in the status bar.
package struct LayerSourceError: Error, Sendable, CustomStringConvertible {
    package let message: String
    package var description: String { message }
    package init(_ message: String) { self.message = message }
}
