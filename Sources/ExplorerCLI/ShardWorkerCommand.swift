import DuQuantCore
import DuQuantIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `duquant-explorer shard-worker FILE --layer P --tokens A:B [parameters]`: one token shard of a sharded
/// DuQuant calibration, answering the driver's requests on stdin/stdout (``ShardWire``).
///
/// It keeps only its tokens of the layer's input in memory (the tensor is streamed through once) and never
/// loads the weight: the driver holds the weight side.
enum ShardWorkerCommand {
    static let usage = """
        usage: duquant-explorer shard-worker FILE --layer P --tokens A:B [parameters]
          --tokens A:B   the shard: tokens A ..< B of the layer's input
        Answers the line protocol of docs/DISTRIBUTED.md ("Token shards") on stdin/stdout.
        """
    static let options: Set<String> = ParameterOptions.names.union(["layer", "tokens"])

    static func run(_ args: [String]) throws(CLIError) -> String {
        let a = try Arguments.parse(args, options: options, flags: ParameterOptions.flags, command: "shard-worker")
        guard a.positionals.count == 1, let name = a.value("layer"), let range = a.value("tokens") else {
            throw CLIError(usage)
        }
        let p = try ParameterOptions.params(from: a)
        let dump = try Commands.open(a.positionals[0])
        let layerName = try Commands.layerNames([name], in: dump)[0]
        let tokens = try tokenRange(range)
        let input = try loadRows(of: layerName, tokens: tokens, dump: dump)
        let shard = DuQuantShard(input: input, tokens: tokens, params: p)
        CLI.writeOut("ready \(tokens.lowerBound) \(tokens.upperBound) \(input.cols)\n")
        while let line = readLine(strippingNewline: true) {
            let reply: String?
            do {
                reply = try shard.withNumerics { () throws(CLIError) -> String? in try ShardWire.answer(line, shard: shard) }
            } catch {
                CLI.writeOut("err " + error.message.replacingOccurrences(of: "\n", with: " ") + "\n")
                continue
            }
            guard let reply else { break }
            CLI.writeOut(reply + "\n")
        }
        return ""
    }

    /// `A:B` as a token range.
    static func tokenRange(_ s: String) throws(CLIError) -> Range<Int> {
        let parts = s.split(separator: ":")
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a >= 0, b > a else {
            throw CLIError("--tokens A:B: a non-empty range of tokens, e.g. 0:1024 (got \(s))")
        }
        return a..<b
    }

    /// Rows `tokens` of layer `name`'s input, as `loadLayer` cleans them (non-finite and denormal values 0).
    static func loadRows(of name: String, tokens: Range<Int>, dump: DumpFile) throws(CLIError) -> Matrix {
        guard let info = dump.layer(named: name) else { throw CLIError("no layer named \(name)") }
        guard tokens.upperBound <= info.tokens else {
            throw CLIError("--tokens \(tokens.lowerBound):\(tokens.upperBound): the layer has \(info.tokens) tokens")
        }
        let cols = info.inFeatures, lo = tokens.lowerBound * cols, hi = tokens.upperBound * cols
        var storage = [Float](repeating: 0, count: hi - lo)
        do {
            try dump.streamTensor(info.inputTensor) { first, run in
                let a = Swift.max(first, lo), b = Swift.min(first + run.count, hi)
                guard a < b else { return }
                for i in a..<b { storage[i - lo] = run[i - first] }
            }
        } catch { throw CLIError(error.description) }
        let layer = LayerData(name: name, input: Matrix(rows: tokens.count, cols: cols, storage: storage))
        return layer.replacingNonFinite().flushingSubnormals().input
    }
}
