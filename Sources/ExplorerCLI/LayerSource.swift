import DuQuantCore
import DuQuantIO
import ExplorerModel

/// Where the explorer's layers come from: the list, and a way to load one (from any thread).
public protocol LayerSource: Sendable {
    /// Display names of the opened files.
    var files: [String] { get }
    /// The layers, in list order.
    var entries: [LayerEntry] { get }
    /// Loads layer `index` and, when the dump has a sidecar, its token texts.
    func load(_ index: Int) throws(CLIError) -> (LayerData, [String]?)
}

/// Layers of one or more dump files opened with DuQuantIO.
public final class DumpLayerSource: LayerSource {
    public let files: [String]
    public let entries: [LayerEntry]
    private let dumps: [DumpFile]
    private let names: [(file: Int, name: String)]

    /// Opens every path; fails with a one-line message naming the file.
    public init(paths: [String]) throws(CLIError) {
        var dumps: [DumpFile] = []
        var entries: [LayerEntry] = []
        var names: [(Int, String)] = []
        for (f, path) in paths.enumerated() {
            let dump = try Commands.open(path)
            dumps.append(dump)
            for info in dump.layers where info.isLoadable {
                entries.append(LayerEntry(file: f, name: info.name, kind: info.moduleKind.rawValue, tokens: info.tokens,
                                          inFeatures: info.inFeatures, outFeatures: info.outFeatures))
                names.append((f, info.name))
            }
        }
        guard !entries.isEmpty else {
            throw CLIError("\(paths.joined(separator: ", ")): no usable layers (a layer is P.input with optional P.weight)")
        }
        self.files = paths
        self.dumps = dumps
        self.entries = entries
        self.names = names
    }

    public func load(_ index: Int) throws(CLIError) -> (LayerData, [String]?) {
        let (f, name) = names[index]
        let dump = dumps[f]
        let layer: LayerData
        do { layer = try dump.loadLayer(name) } catch { throw CLIError(error.description) }
        return (layer, dump.sidecar?.tokens)
    }
}
