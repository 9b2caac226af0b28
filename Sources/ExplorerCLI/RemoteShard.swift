import DuQuantCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A token shard in a `shard-worker` process, spoken to over its stdin/stdout (``ShardWire``).
///
/// Requests that need no answer but `ok` (`advance`) are sent without waiting; candidates can be asked of
/// every shard before any answer is read (``prefetchCandidates(step:)``), so the workers compute in parallel.
final class RemoteShard: DuQuantShardLink {
    private(set) var tokens: Range<Int>
    let process: Process
    let toWorker: FileHandle, fromWorker: Int32
    var buffer: [UInt8] = []
    var pendingOK = 0
    var prefetched: Int?
    /// Bytes written to and read from the worker.
    var bytesSent = 0, bytesReceived = 0

    /// Starts `executable shard-worker arguments…` and reads its `ready` line.
    init(executable: String, arguments: [String]) throws(CLIError) {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["shard-worker"] + arguments
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch { throw CLIError("shard-worker: \(error)") }
        toWorker = input.fileHandleForWriting
        fromWorker = output.fileHandleForReading.fileDescriptor
        tokens = 0..<0
        let ready = try readLine().split(separator: " ")
        guard ready.count == 4, ready[0] == "ready", let a = Int(ready[1]), let b = Int(ready[2]) else {
            throw CLIError("shard-worker did not start: \(ready.joined(separator: " ").prefix(200))")
        }
        tokens = a..<b
    }

    deinit {
        if process.isRunning {
            send("quit")
            process.waitUntilExit()
        }
    }

    /// The worker's peak resident memory so far in bytes (`VmHWM`; nil where /proc does not say).
    var peakResidentBytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kb * 1024
    }

    func send(_ line: String) {
        let data = Data((line + "\n").utf8)
        bytesSent += data.count
        toWorker.write(data)
    }

    func readLine() throws(CLIError) -> String {
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                bytesReceived += nl + 1
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = Glibc.read(fromWorker, &chunk, chunk.count)
            guard n > 0 else { throw CLIError("shard-worker for tokens \(tokens) ended") }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// The answer's words after `ok`, after the answers of requests sent without waiting.
    func answer() -> [Substring] {
        do {
            while pendingOK > 0 {
                pendingOK -= 1
                _ = try words(try readLine())
            }
            return try words(try readLine())
        } catch {
            fatalError(error.message)  // the fault path is the Ray driver's (a lost worker is restarted there)
        }
    }

    func words(_ line: String) throws(CLIError) -> [Substring] {
        let w = line.split(separator: " ")
        guard w.first == "ok" else { throw CLIError("shard-worker: \(line.prefix(300))") }
        return Array(w.dropFirst())
    }

    func request(_ line: String) -> [Substring] {
        send(line)
        return answer()
    }

    func doubles(_ w: [Substring]) -> [Double] { w.map { Double($0)! } }

    func channelMaxAbs() -> [Float] { request("stats").map { Float($0)! } }

    func begin(scales: [Float]?) { _ = request("begin " + (scales.map(ShardWire.words) ?? "none")) }

    func beginStage(_ stage: Int, bound: Double) { _ = request("stage \(stage) \(bound)") }

    func beginSearch(_ search: Int) { _ = request("search \(search)") }

    func prefetchCandidates(step: Int) {
        send("cand \(step)")
        prefetched = step
    }

    func candidates(step: Int) -> (max: [ShardCandidate], min: [ShardCandidate]) {
        if prefetched != step { send("cand \(step)") }
        prefetched = nil
        let w = answer()
        var k = 0
        do {
            let hi = try ShardWire.candidates(w, &k), lo = try ShardWire.candidates(w, &k)
            return (hi, lo)
        } catch {
            fatalError(error.message)
        }
    }

    func exact(index: Int, at step: Int) -> Double { doubles(request("exact \(index) \(step)"))[0] }

    func advance(channel: Int) {
        send("advance \(channel)")
        pendingOK += 1
    }

    func endStage(kept: [[Int]]) -> Double {
        let words = kept.map { ([String($0.count)] + $0.map(String.init)).joined(separator: " ") }
        return doubles(request("end \(kept.count) " + words.joined(separator: " ")))[0]
    }

    func screenChannelMax() -> [Double] { doubles(request("screenmax")) }

    func exactChannelMax(channel: Int, threshold: Double) -> Double {
        doubles(request("exactmax \(channel) \(threshold)"))[0]
    }

    func permute(_ perm: [Int]) { _ = request("permute " + ShardWire.words(perm)) }
}
