import DuQuantCore
import ExplorerCLI
#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock timing and memory probes for `bench`.
enum BenchClock {
    /// Seconds `body` takes.
    static func time(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        body()
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Median seconds over `runs` calls of `body` (at least one).
    static func median(runs: Int, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<max(1, runs) { times.append(time(body)) }
        return median(times)
    }

    /// The median of `values` (mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The process's peak resident set so far, in bytes (getrusage; Linux reports KiB).
    static func maxRSS() -> Int {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Int(u.ru_maxrss) * 1024
    }

    /// The process's resident set now, in bytes (`/proc/self/statm`), or nil where unavailable.
    static func currentRSS() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        guard n > 0 else { return nil }
        let fields = String(decoding: buf[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

extension BenchClock {
    /// Seconds a throwing `body` takes.
    static func timeThrowing(_ body: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Median seconds of re-evaluating `ws` with the activation bits flipped 3 ↔ 5 each run (transforms cached).
    static func bitsChange(_ ws: EvaluationWorkspace, _ p: QuantParams, runs: Int) -> Double {
        var bits = 3
        return median(runs: runs) {
            var q = p
            q.abits = bits
            bits = bits == 3 ? 5 : 3
            _ = ws.evaluate(q)
        }
    }
}
