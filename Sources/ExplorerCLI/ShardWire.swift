import DuQuantCore

/// The line protocol between a shard driver and `shard-worker` (docs/DISTRIBUTED.md, "Token shards").
///
/// One request per line, one answer per line, in order; words separated by single spaces. Numbers are
/// written as Swift prints them (`Double.description`: the shortest text that reads back to the same
/// bits, `inf`, `nan`), so nothing is lost on the wire. Answers start `ok` or `err MESSAGE`.
///
/// ```
/// stats                      → ok  max|x| per channel (float)
/// begin none | begin S…      → ok                        smoothing scales (float) or none
/// stage S BOUND              → ok                        rotation stage S, screen bound BOUND
/// search I                   → ok                        search I of the stage
/// cand STEP                  → ok NMAX (i v b)… NMIN (i v b)…   candidates, global row-major indices
/// exact INDEX STEP           → ok V                      exact value after STEP chosen steps
/// advance D                  → ok                        take the step that moves channel D
/// end NB (len c…)…           → ok BOUND                  every block's kept steps; next screen's bound
/// screenmax                  → ok V…                     screened max |x| per channel (zigzag)
/// exactmax J THRESHOLD       → ok V                      exact max |x| of channel J above THRESHOLD
/// permute P…                 → ok                        the zigzag permutation
/// quit                       → (the worker exits)
/// ```
/// On start the worker writes `ready A B COLS` (its tokens A..<B of COLS channels).
enum ShardWire {
    /// Words of a number list.
    static func words<T: CustomStringConvertible>(_ xs: [T]) -> String { xs.map(\.description).joined(separator: " ") }

    static func double(_ s: Substring) throws(CLIError) -> Double {
        guard let v = Double(s) else { throw CLIError("shard protocol: not a number: \(s.prefix(40))") }
        return v
    }

    static func int(_ s: Substring) throws(CLIError) -> Int {
        guard let v = Int(s) else { throw CLIError("shard protocol: not an integer: \(s.prefix(40))") }
        return v
    }

    /// Candidates as `N (i v b)…`.
    static func candidates(_ c: [ShardCandidate]) -> String {
        ([String(c.count)] + c.map { "\($0.index) \($0.value) \($0.bound)" }).joined(separator: " ")
    }

    /// Reads `N (i v b)…` from `w` at `k`, advancing `k`.
    static func candidates(_ w: [Substring], _ k: inout Int) throws(CLIError) -> [ShardCandidate] {
        let n = try int(w[k])
        guard n >= 0, k + 1 + 3 * n <= w.count else { throw CLIError("shard protocol: short candidate list") }
        var out: [ShardCandidate] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            let b = k + 1 + 3 * i
            out.append((try int(w[b]), try double(w[b + 1]), try double(w[b + 2])))
        }
        k += 1 + 3 * n
        return out
    }

    /// The worker's answer to one request line (nil: quit).
    static func answer(_ line: String, shard: DuQuantShard) throws(CLIError) -> String? {
        let w = line.split(separator: " ")
        guard let verb = w.first else { throw CLIError("shard protocol: empty request") }
        func need(_ n: Int) throws(CLIError) {
            guard w.count >= n else { throw CLIError("shard protocol: \(verb) needs \(n - 1) words") }
        }
        switch verb {
        case "quit": return nil
        case "stats": return "ok " + words(shard.channelMaxAbs())
        case "begin":
            try need(2)
            if w[1] == "none" {
                shard.begin(scales: nil)
            } else {
                var s: [Float] = []
                for x in w.dropFirst() {
                    guard let v = Float(x) else { throw CLIError("shard protocol: not a number: \(x.prefix(40))") }
                    s.append(v)
                }
                shard.begin(scales: s)
            }
            return "ok"
        case "stage":
            try need(3)
            shard.beginStage(try int(w[1]), bound: try double(w[2]))
            return "ok"
        case "search":
            try need(2)
            shard.beginSearch(try int(w[1]))
            return "ok"
        case "cand":
            try need(2)
            let c = shard.candidates(step: try int(w[1]))
            return "ok " + candidates(c.max) + " " + candidates(c.min)
        case "exact":
            try need(3)
            return "ok \(shard.exact(index: try int(w[1]), at: try int(w[2])))"
        case "advance":
            try need(2)
            shard.advance(channel: try int(w[1]))
            return "ok"
        case "end":
            try need(2)
            var k = 2, kept: [[Int]] = []
            for _ in 0..<(try int(w[1])) {
                guard k < w.count else { throw CLIError("shard protocol: short kept list") }
                let n = try int(w[k])
                guard n >= 0, k + 1 + n <= w.count else { throw CLIError("shard protocol: short kept list") }
                var steps: [Int] = []
                for i in 0..<n { steps.append(try int(w[k + 1 + i])) }
                kept.append(steps)
                k += 1 + n
            }
            return "ok \(shard.endStage(kept: kept))"
        case "screenmax": return "ok " + words(shard.screenChannelMax())
        case "exactmax":
            try need(3)
            return "ok \(shard.exactChannelMax(channel: try int(w[1]), threshold: try double(w[2])))"
        case "permute":
            var perm: [Int] = []
            for x in w.dropFirst() { perm.append(try int(x)) }
            shard.permute(perm)
            return "ok"
        default: throw CLIError("shard protocol: unknown request \(verb.prefix(20))")
        }
    }
}
