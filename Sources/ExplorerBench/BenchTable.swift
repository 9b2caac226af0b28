/// A Markdown table the benchmark prints: one row per measured operation.
struct BenchTable {
    /// One measured operation.
    struct Row {
        var name: String
        var seconds: Double?
        var work: String = ""
        var rate: String = ""
        var note: String = ""
    }

    var title: String
    var rows: [Row] = []

    /// Adds a timed row; `flops` gives GFLOP/s, `bytes` GB/s moved.
    mutating func add(_ name: String, _ seconds: Double?, flops: Double? = nil, bytes: Double? = nil,
                      note: String = "") {
        var r = Row(name: name, seconds: seconds, note: note)
        if let flops {
            r.work = Self.fixed(flops / 1e9, 1) + " GFLOP"
            if let seconds, seconds > 0 { r.rate = Self.fixed(flops / seconds / 1e9, 1) + " GFLOP/s" }
        } else if let bytes {
            r.work = Self.fixed(bytes / 1e6, 0) + " MB"
            if let seconds, seconds > 0 { r.rate = Self.fixed(bytes / seconds / 1e9, 1) + " GB/s" }
        }
        rows.append(r)
    }

    /// Adds a row of text only (a note, a pending item).
    mutating func note(_ name: String, _ text: String) { rows.append(Row(name: name, seconds: nil, note: text)) }

    /// The table as Markdown.
    func render() -> String {
        var out = "### \(title)\n\n| operation | time | work | rate | note |\n|---|---:|---:|---:|---|\n"
        for r in rows {
            let t = r.seconds.map(Self.duration) ?? "—"
            out += "| \(r.name) | \(t) | \(r.work) | \(r.rate) | \(r.note) |\n"
        }
        return out + "\n"
    }

    /// `1.234 s`, `12.3 ms` or `45 µs`.
    static func duration(_ s: Double) -> String {
        if s >= 1 { return fixed(s, 2) + " s" }
        if s >= 1e-3 { return fixed(s * 1e3, 1) + " ms" }
        return fixed(s * 1e6, 0) + " µs"
    }

    /// `x` with `digits` decimals.
    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let v = (x * p).rounded() / p
        var s = String(v)
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: s.index(after: dot), to: s.endIndex)
            if digits == 0 { s = String(s[..<dot]) } else if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
        } else if digits > 0 {
            s += "." + String(repeating: "0", count: digits)
        }
        return s
    }

    /// Bytes as MiB/GiB.
    static func size(_ bytes: Int) -> String {
        let b = Double(bytes)
        return b >= Double(1 << 30) ? fixed(b / Double(1 << 30), 2) + " GiB" : fixed(b / Double(1 << 20), 0) + " MiB"
    }
}
