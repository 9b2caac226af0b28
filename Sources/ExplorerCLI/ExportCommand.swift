#if canImport(Glibc)
import Glibc
#endif
import DuQuantCore
import DuQuantForward
import DuQuantIO
import ExplorerModel

/// `duquant-explorer export FILE --layer P -o OUT.safetensors`: a method's transform of one layer, or of
/// every layer with `--all-layers -o DIR`.
///
/// Tensors: `smooth_scales` [in] (when smoothing applied), `rotation.{i}` [K, n, n] per rotation stage
/// (one n×n matrix per full block), `rotation.{i}.tail` [r, r] for a last partial block, and
/// `permutation.{i}` [in] (channel indices as float32, exact below 2²⁴). Every method fits this form
/// (``MethodTransform``): RTN has no tensors, SmoothQuant only `smooth_scales`, Hadamard one rotation.
/// See docs/EXPORT.md.
enum ExportCommand {
    static let usage = """
        usage: duquant-explorer export FILE --layer P -o OUT.safetensors [--method M] [parameters]
               duquant-explorer export FILE --all-layers -o DIR [--shard K/N] [--method M] [parameters]
               duquant-explorer export --list-methods
          --layer P   the layer (an exact name or a unique part of one)
          -o, --output PATH   the transform's .safetensors file; with --all-layers, a directory
          --method rtn|smoothquant|hadamard|quarot|duquant   the method whose transform to write (default duquant)
          --all-layers   every usable layer, one file each, named by DIR/index.json
          --shard K/N   with --all-layers: layers K, K+N, K+2N, … only (N processes share one export)
          --list-methods   the methods' names
        Parameters: each from the command line, else from the dump's sidecar, else the default (the
        output names those the sidecar set).
        """
    /// The valued options and the flags `export` accepts (`--help` lists every one).
    static let options: Set<String> = ParameterOptions.names.union(["layer", "o", "output", "method", "shard"])
    static let flags: Set<String> = ParameterOptions.flags.union(["all-layers", "list-methods"])

    static func run(_ args: [String]) throws(CLIError) -> String {
        if args == ["--list-methods"] {
            return Method.allCases.map { "\($0.rawValue)  \($0.title)\n" }.joined()
        }
        let a = try Arguments.parse(args, options: options, flags: flags.subtracting(["list-methods"]), command: "export")
        return try ParameterOptions.withMemoryBudget(a) { () throws(CLIError) in try run(a) }
    }

    private static func run(_ a: Arguments) throws(CLIError) -> String {
        guard a.positionals.count == 1 else { throw CLIError(usage) }
        guard let out = a.value("o") ?? a.value("output") else { throw CLIError("export needs -o OUT.safetensors") }
        let given = try ParameterOptions.params(from: a)
        let method = try Self.method(a.value("method"))
        if a.flag("all-layers") {
            guard a.values("layer").isEmpty else { throw CLIError("export: --all-layers and --layer exclude each other") }
            let parameters = try SidecarParameters(given, given: a, dump: try Commands.open(a.positionals[0]))
            return try exportAll(a.positionals[0], to: out, method: method, parameters.params, shard: try shard(a.value("shard")))
                + (parameters.note.map { "  \($0)\n" } ?? "")
        }
        guard a.value("shard") == nil else { throw CLIError("export: --shard goes with --all-layers") }
        if Commands.sameFile(out, a.positionals[0]) {
            throw CLIError("\(out): that is the input dump; exporting there would overwrite it (choose another -o)")
        }
        // Before any work: a device, FIFO, socket, directory or symbolic link is refused and left untouched.
        do { try SafetensorsWriter.checkOutput(out) } catch { throw CLIError(error.description) }
        let dump = try Commands.open(a.positionals[0])
        let parameters = try SidecarParameters(given, given: a, dump: dump)
        guard a.values("layer").count == 1 else { throw CLIError("export needs exactly one --layer P (or --all-layers)") }
        let name = try Commands.layerNames(a.values("layer"), in: dump)[0]
        let (layer, e) = try export(name, of: dump, method: method, parameters.params, to: out, sidecar: parameters.note)
        return "wrote \(out): \(summary(e))\n" + (parameters.note.map { "  \($0)\n" } ?? "")
            + Commands.nonFiniteNotes(layer.nonFinite).map { "  \(name): \($0)\n" }.joined()
    }

    /// `--method NAME` (DuQuant when absent).
    static func method(_ text: String?) throws(CLIError) -> Method {
        guard let text else { return .duquant }
        guard let m = Method(rawValue: text.lowercased()) else {
            throw CLIError("--method: unknown method '\(text)' (\(Method.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return m
    }

    /// Calibrates `method` on layer `name` and writes its transform to `out`.
    static func export(_ name: String, of dump: DumpFile, method: Method, _ p: QuantParams,
                       to out: String, sidecar: String? = nil) throws(CLIError) -> (LayerData, MethodTransform) {
        try Commands.checkTransformBudget(name, in: dump, method: method)
        let layer: LayerData, calibrated: MethodTransform?
        do { (layer, calibrated) = try DumpCalibration.calibrate(name, of: dump, method: method, p) } catch { throw CLIError(error.description) }
        guard let e = calibrated else { throw CLIError("cancelled") }
        var w = SafetensorsWriter()
        do { try add(e.transform, to: &w) } catch { throw CLIError(error.description) }
        w.metadata = [
            "layer": name, "source": dump.path, "method": method.rawValue, "params": p.longSummary,
            "method_settings": Method.allCases.map { "\($0.rawValue): \(p.settings(for: $0).summary)" }.joined(separator: "; "),
            "select": p.select.rawValue, "layout": p.layout.rawValue, "block": String(p.block),
            "alpha": String(p.alpha), "seed": String(p.seed),
            "kept_steps": e.calibration?.keptSteps.map(String.init).joined(separator: ",") ?? "",
            "note": e.note ?? "",
            "non_finite": layer.nonFinite.isEmpty ? "none" : layer.nonFinite.map(\.summary).joined(separator: "; "),
            "format": "duquant-explorer transform v1: X~ = ((X / smooth_scales) @ R0)[:, perm0] @ R1 …",
        ]
        if let sidecar { w.metadata["sidecar_parameters"] = sidecar }
        do { try w.write(to: out) } catch { throw CLIError(error.description) }
        return (layer, e)
    }

    /// `--shard K/N` (1 ≤ K ≤ N): every N-th layer from the K-th; nil when absent.
    static func shard(_ text: String?) throws(CLIError) -> (k: Int, n: Int)? {
        guard let text else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(k) else {
            throw CLIError("--shard must be K/N with 1 ≤ K ≤ N (got '\(text)')")
        }
        return (k, n)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func format1(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func summary(_ e: MethodTransform) -> String {
        let t = e.transform
        return "\(e.method.title): \(t.rotations.count) rotations, \(t.permutations.count) permutation(s)"
            + (t.smoothScales != nil ? ", smoothing scales" : "")
            + (e.calibration.map { "; kept steps \($0.keptSteps)" } ?? "")
            + (e.note.map { " (\($0))" } ?? "")
    }

    static func add(_ t: DuQuantTransform, to w: inout SafetensorsWriter) throws(DumpError) {
        if let s = t.smoothScales { try w.add("smooth_scales", shape: [s.count], values: s) }
        for (i, r) in t.rotations.enumerated() {
            let full = r.blockSizes.firstIndex { $0 != r.blockSizes[0] } ?? r.blockSizes.count
            if full > 0 {
                let n = r.blockSizes[0]
                try w.add("rotation.\(i)", shape: [full, n, n], values: r.blocks.prefix(full).flatMap(\.storage))
            }
            if full < r.blocks.count {
                let tail = r.blocks[full]
                try w.add("rotation.\(i).tail", shape: [tail.rows, tail.cols], values: tail.storage)
            }
        }
        for (i, perm) in t.permutations.enumerated() {
            try w.add("permutation.\(i)", shape: [perm.count], values: perm.map(Float.init))
        }
    }
}
