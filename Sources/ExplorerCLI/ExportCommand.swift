import DuQuantCore
import DuQuantIO

/// `duquant-explorer export FILE --layer P -o OUT.safetensors`: the calibrated DuQuant transform.
///
/// Tensors: `smooth_scales` [in] (when smoothing applied), `rotation.{i}` [K, n, n] per rotation stage
/// (one n×n matrix per full block), `rotation.{i}.tail` [r, r] for a last partial block, and
/// `permutation.{i}` [in] (channel indices as float32, exact below 2²⁴). See docs/EXPORT.md.
enum ExportCommand {
    static let usage = "usage: duquant-explorer export FILE --layer P -o OUT.safetensors [parameters]"

    static func run(_ args: [String]) throws(CLIError) -> String {
        let a = try Arguments.parse(args, options: ParameterOptions.names.union(["layer", "o", "output"]),
                                    flags: ParameterOptions.flags, command: "export")
        guard a.positionals.count == 1 else { throw CLIError(usage) }
        guard let out = a.value("o") ?? a.value("output") else { throw CLIError("export needs -o OUT.safetensors") }
        let p = try ParameterOptions.params(from: a)
        if Commands.sameFile(out, a.positionals[0]) {
            throw CLIError("\(out): that is the input dump; exporting there would overwrite it (choose another -o)")
        }
        // Before any work: a device, FIFO, socket, directory or symbolic link is refused and left untouched.
        do { try SafetensorsWriter.checkOutput(out) } catch { throw CLIError(error.description) }
        let dump = try Commands.open(a.positionals[0])
        guard a.values("layer").count == 1 else { throw CLIError("export needs exactly one --layer P") }
        let name = try Commands.layerNames(a.values("layer"), in: dump)[0]
        try Commands.checkEvaluationBudget(name, in: dump)
        let layer: LayerData
        do { layer = try dump.loadLayer(name) } catch { throw CLIError(error.description) }
        guard let cal = DuQuant.calibrate(layer, p) else { throw CLIError("cancelled") }
        var w = SafetensorsWriter()
        do {
            try add(cal.transform, to: &w)
        } catch { throw CLIError(error.description) }
        w.metadata = [
            "layer": name, "source": dump.path, "params": ParameterOptions.summary(p),
            "method_settings": Method.allCases.map { "\($0.rawValue): \(p.settings(for: $0).summary)" }.joined(separator: "; "),
            "select": p.select.rawValue, "layout": p.layout.rawValue, "block": String(p.block),
            "kept_steps": cal.keptSteps.map(String.init).joined(separator: ","),
            "non_finite": layer.nonFinite.isEmpty ? "none" : layer.nonFinite.map(\.summary).joined(separator: "; "),
            "format": "duquant-explorer transform v1: X~ = ((X / smooth_scales) @ R0)[:, perm0] @ R1 …",
        ]
        do { try w.write(to: out) } catch { throw CLIError(error.description) }
        return "wrote \(out): \(cal.transform.rotations.count) rotations, \(cal.transform.permutations.count) "
            + "permutation(s)\(cal.smoothed ? ", smoothing scales" : ""); kept steps \(cal.keptSteps)\n"
            + Commands.nonFiniteNotes(layer.nonFinite).map { "  \(name): \($0)\n" }.joined()
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
