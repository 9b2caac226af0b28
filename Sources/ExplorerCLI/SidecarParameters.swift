import DuQuantCore
import DuQuantIO

/// The parameters a command runs with on one dump: each option from the command line if given there, else
/// from the dump's sidecar (its `parameters`), else the default; and which ones came from the sidecar.
///
/// One rule for the explorer, `render`, `report` and `export`: a toy opens, and is reported, with the
/// parameters it is meant to be seen with, and every output says so.
///
/// ```swift
/// let s = try SidecarParameters(p, given: a, dump: dump)   // p: the command line's parameters
/// s.params.block   // 16 for samples/toy/channels.safetensors unless --block was given
/// s.note           // "channels.json sets --block 16 --lac 1 --swc 1"
/// ```
struct SidecarParameters {
    /// The parameters to run with.
    var params: QuantParams
    /// The options the sidecar set, as on a command line (`--block 16`, `--no-smooth`), in its order.
    var applied: [String]
    /// The sidecar's file name, when it set anything.
    var sidecarName: String?

    /// `p`, read from the command line `a`, with the parameters of `dump`'s sidecar that `a` did not give.
    init(_ p: QuantParams, given a: Arguments, dump: DumpFile) throws(CLIError) {
        guard let sidecar = dump.sidecar else {
            self.init(params: p, applied: [], sidecarName: nil)
            return
        }
        let (q, applied) = try ExplorerOptions.applying(sidecar, to: p, except: Set(a.options.keys).union(a.flags))
        self.init(params: q, applied: applied, sidecarName: applied.isEmpty ? nil : Self.fileName(sidecar.path))
    }

    init(params: QuantParams, applied: [String], sidecarName: String?) {
        self.params = params
        self.applied = applied
        self.sidecarName = sidecarName
    }

    /// `channels.json sets --block 16 --lac 1 --swc 1`, or nil when the sidecar set nothing.
    var note: String? { sidecarName.map { Self.note($0, applied) } }

    /// The line saying which options a sidecar named `name` set.
    static func note(_ name: String, _ applied: [String]) -> String {
        name + " sets " + applied.joined(separator: " ")
    }

    /// The last component of `path`.
    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
