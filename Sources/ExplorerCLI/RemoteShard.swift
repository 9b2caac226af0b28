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
    let executable: String, arguments: [String]
    var process: Process
    var toWorker: Int32 = -1, fromWorker: Int32 = -1
    var buffer: [UInt8] = []
    var prefetched: Int?
    /// Requests sent whose answers are not read yet, oldest first.
    var inFlight: [String] = []
    /// Every request that changed the worker's state, in order: the decisions so far. A restarted worker
    /// is brought back to the same state by replaying them.
    var log: [String] = []
    /// Bytes written to and read from the worker; times the worker was restarted.
    var bytesSent = 0, bytesReceived = 0, restarts = 0

    /// Starts `executable shard-worker arguments…` and reads its `ready` line.
    init(executable: String, arguments: [String]) throws(CLIError) {
        self.executable = executable
        self.arguments = arguments
        process = Process()
        tokens = 0..<0
        tokens = try start()
    }

    /// Spawns the worker and reads its `ready A B COLS`.
    func start() throws(CLIError) -> Range<Int> {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["shard-worker"] + arguments
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch { throw CLIError("shard-worker: \(error)") }
        toWorker = input.fileHandleForWriting.fileDescriptor
        fromWorker = output.fileHandleForReading.fileDescriptor
        // The process keeps the pipes' other ends; ours stay open as long as the handles.
        handles = (input, output)
        buffer = []
        let ready = try readLine().split(separator: " ")
        guard ready.count == 4, ready[0] == "ready", let a = Int(ready[1]), let b = Int(ready[2]) else {
            throw CLIError("shard-worker did not start: \(ready.joined(separator: " ").prefix(200))")
        }
        return a..<b
    }
    var handles: (Pipe, Pipe)?

    deinit {
        if process.isRunning {
            write("quit")
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

    /// Whether a request changes the worker's state (the rest only ask).
    static func changesState(_ line: String) -> Bool {
        let verb = line.prefix { $0 != " " }
        return ["begin", "stage", "search", "advance", "end", "permute"].contains(verb)
    }

    /// Writes one line; a worker that is gone shows when its answer is read.
    func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytesSent += bytes.count
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBufferPointer { Glibc.write(toWorker, $0.baseAddress! + done, bytes.count - done) }
            guard n > 0 else { return }
            done += n
        }
    }

    func send(_ line: String) {
        write(line)
        inFlight.append(line)
        if Self.changesState(line) { log.append(line) }
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

    /// The oldest unanswered request's answer line; a worker that ended is restarted first
    /// (``recover()``), as many times as it takes, up to 3 in a row.
    func nextAnswer() throws(CLIError) -> String {
        var failures = 0
        while true {
            do {
                let line = try readLine()
                inFlight.removeFirst()
                return line
            } catch {
                failures += 1
                guard failures <= 3 else { throw error }
                try recover()
            }
        }
    }

    /// Restarts the worker and brings it to where the lost one was: the answered state changes replayed
    /// in order (the decisions so far), then every unanswered request sent again.
    func recover() throws(CLIError) {
        restarts += 1
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        guard try start() == tokens else { throw CLIError("restarted shard-worker holds other tokens") }
        let again = inFlight
        let answered = log.dropLast(again.filter(Self.changesState).count)
        for line in answered {
            write(line)
            _ = try words(try readLine())
        }
        inFlight = []
        for line in again { write(line); inFlight.append(line) }
    }

    /// The answer's words after `ok` to the last request sent, after the answers of those before it.
    func answer() -> [Substring] {
        do {
            while inFlight.count > 1 { _ = try words(try nextAnswer()) }
            return try words(try nextAnswer())
        } catch {
            fatalError(error.message)
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

    func advance(channel: Int) { send("advance \(channel)") }

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
