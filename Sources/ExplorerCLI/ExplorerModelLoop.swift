import DuQuantCore
import DuQuantForward
import DuQuantIO
import ExplorerModel
import ExplorerRuntime
import Foundation
import Synchronization

/// The explorer's Model panel behind ``ModelBackend``: `DuQuantForward`'s ``LiveModel`` on the dump's model
/// (`--model DIR`, else the sidecar's `model_forward.checkpoint`) and evaluation tokens (`--model-tokens
/// FILE`, else the sidecar's `model_forward.tokens`, else the dump's own token ids), loaded on first use on
/// the executor's queue (the screen does not wait for 538 MB of weights).
package final class ForwardModelBackend: ModelBackend {
    let directory: String
    let tokensFile: String?
    let dumpPath: String
    let budget: Int
    private let live = Mutex<LiveModel?>(nil)

    init(directory: String, tokensFile: String?, dumpPath: String, budget: Int) {
        self.directory = directory
        self.tokensFile = tokensFile
        self.dumpPath = dumpPath
        self.budget = budget
    }

    /// The live loop, loaded once (the lock is held while loading: concurrent first calls wait for it).
    func loop() throws -> LiveModel {
        try live.withLock { (kept: inout LiveModel?) throws -> LiveModel in
            if let kept { return kept }
            let model = try LlamaModel.load(directory: directory)
            let dump = try DumpFile.open(dumpPath)
            let ids = try PerplexityCommand.tokens(tokensFile, dump: dump)
            let l = try LiveModel(model: model, tokens: ids, dump: dump, budgetBytes: budget)
            kept = l
            return l
        }
    }

    package func fullPrecision(cancel: CancelToken, progress: @escaping @Sendable (Double) -> Void) throws -> Double? {
        try loop().fullPrecision(cancel: cancel, progress: progress)
    }

    package func perplexity(_ r: ModelRequest, cancel: CancelToken, progress: @escaping @Sendable (Double) -> Void) throws -> Double? {
        let scope: LiveModel.Scope
        if let name = r.layer {
            guard let id = LinearID(name: name) else { throw ForwardError("\(name) is not a linear layer of the model") }
            scope = .layer(id)
        } else {
            scope = .all
        }
        return try loop().perplexity(scope, method: r.method, params: r.params, setting: Self.setting(r.params), cancel: cancel, progress: progress)
    }

    package func sensitivity(method: Method, params: QuantParams, cancel: CancelToken, progress: @escaping @Sendable (Double) -> Void,
                     partial: @escaping (String, Double, Bool) -> Void) throws -> Bool {
        let l = try loop()
        let total = l.session.model.linearIDs.count
        var done = 0
        return try l.sensitivity(method: method, params: params, setting: Self.setting(params), cancel: cancel, progress: progress) { id, ppl in
            done += 1
            partial(id.name, ppl, done == total)
        } != nil
    }

    static func setting(_ p: QuantParams) -> QuantSetting { QuantSetting(weightBits: p.wbits, activationBits: p.abits) }
}

extension ForwardModelBackend {
    /// The backend for the explorer's files, or nil when no model is named (`--model`, or the first file's
    /// sidecar `model_forward`); with the panel's one-line description of the model.
    package static func attach(model: String?, tokens: String?, files: [String], budget: Int) throws(CLIError) -> (ForwardModelBackend, String)? {
        guard let dump = files.first else { return nil }
        var dir = model, tokensFile = tokens
        var text: String? = nil
        // The sidecar of a dump written by `make eval` names its checkpoint and evaluation tokens.
        let sidecar = (dump as NSString).deletingPathExtension + ".json"
        if let data = FileManager.default.contents(atPath: sidecar),
           let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
           let forward = o["model_forward"] as? [String: Any] {
            let base = (dump as NSString).deletingLastPathComponent
            func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (base.isEmpty ? p : base + "/" + p) }
            if dir == nil, let c = forward["checkpoint"] as? String { dir = resolve(c) }
            if tokensFile == nil, let t = forward["tokens"] as? String { tokensFile = resolve(t) }
            text = forward["text"] as? String
        }
        guard let dir else { return nil }
        guard FileManager.default.fileExists(atPath: dir + "/config.json") else {
            throw CLIError("--model \(dir): no config.json there (a Hugging Face checkpoint: config.json + *.safetensors)")
        }
        let name = (dir as NSString).lastPathComponent
        let what = text ?? (tokensFile.map { ($0 as NSString).lastPathComponent } ?? "the dump's own tokens")
        return (ForwardModelBackend(directory: dir, tokensFile: tokensFile, dumpPath: dump, budget: budget), "\(name) · \(what)")
    }
}
