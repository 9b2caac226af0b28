import DuQuantCore

extension Sidecar {
    /// Reads the value of the known key `key` from `r` into this sidecar; a value of the wrong kind or
    /// out of range is read past and noted in `notes`.
    mutating func read(_ key: String, from r: inout JSONStream, notes: inout SidecarNotes) throws(FormatError) {
        switch key {
        case "model", "text_source", "explanation":
            guard try r.peek() == UInt8(ascii: "\"") else {
                try r.skipValue()
                return notes.ignore(key, "not a string")
            }
            let text = try r.stringValue()
            switch key {
            case "model": model = text
            case "text_source": textSource = text
            default: explanation = text
            }
        case "tokens": tokens = try Self.readTokens(&r, notes: &notes)
        case "token_ids": tokenIds = try Self.readTokenIDs(&r, notes: &notes)
        default:
            guard let value = try Self.readTree(key, &r, notes: &notes) else { return }
            switch key {
            case "parameters": parameters = Self.parameters(value, notes: &notes)
            case "shared_inputs":
                guard let map = SharedInputs.parse(value) else { return notes.ignore(key, "not an object of strings") }
                sharedInputs = map
            default: modelEvaluation = Self.parseModelEvaluation(value, notes: &notes)
            }
        }
    }

    /// A small value as a tree (nil, noted, when over ``maxTreeBytes`` or not a tree the parser takes:
    /// nested past its depth or with a repeated key).
    private static func readTree(_ key: String, _ r: inout JSONStream, notes: inout SidecarNotes) throws(FormatError) -> JSONValue? {
        let start = r.offset
        try r.skipValue()
        guard r.offset - start <= maxTreeBytes else {
            notes.ignore(key, "larger than \(MemoryBudget.describe(maxTreeBytes))")
            return nil
        }
        do throws(FormatError) { return try JSONParser.parse(try r.bytes(from: start, to: r.offset)) } catch {
            notes.ignore(key, error.message)
            return nil
        }
    }

    /// The token texts: counted and measured in a first pass, then stored in exactly that room.
    private static func readTokens(_ r: inout JSONStream, notes: inout SidecarNotes) throws(FormatError) -> TokenTexts? {
        let start = r.offset
        var count = 0, bytes = 0, strings = true
        var none: [UInt8] = []
        let isArray = try r.forEachElement { (r: inout JSONStream) throws(FormatError) in
            guard try r.peek() == UInt8(ascii: "\"") else { strings = false; return try r.skipValue() }
            bytes += try r.string(into: &none, limit: 0)
            count += 1
        }
        guard isArray && strings else {
            notes.ignore("tokens", "not an array of strings")
            return nil
        }
        r.seek(to: start)
        var texts = TokenTexts(reservingCount: count, bytes: bytes)
        _ = try r.forEachElement { (r: inout JSONStream) throws(FormatError) in
            try texts.appendText { (utf8: inout [UInt8]) throws(FormatError) in try r.string(into: &utf8) }
        }
        return texts
    }

    /// The token ids: checked and counted in a first pass, then stored in exactly that room.
    private static func readTokenIDs(_ r: inout JSONStream, notes: inout SidecarNotes) throws(FormatError) -> [Int32]? {
        let start = r.offset
        var count = 0
        var problem: String? = nil
        var text: [UInt8] = []
        func id(_ r: inout JSONStream, _ text: inout [UInt8]) throws(FormatError) -> Int32? {
            text.removeAll(keepingCapacity: true)
            try r.number(into: &text, limit: 11)  // 2³¹−1 has ten digits: eleven bytes are already too many
            guard text.count <= 10, text.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let v = Int(String(decoding: text, as: UTF8.self)), v <= Int(Int32.max) else { return nil }
            return Int32(v)
        }
        let isArray = try r.forEachElement { (r: inout JSONStream) throws(FormatError) in
            guard let c = try r.peek(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else {
                problem = problem ?? "not an array of integers"
                return try r.skipValue()
            }
            if try id(&r, &text) == nil, problem == nil {
                problem = "\(SidecarNotes.shown(String(decoding: text, as: UTF8.self))) is not a token id (an integer in 0…\(Int32.max))"
            }
            count += 1
        }
        if let why = isArray ? problem : "not an array of integers" {
            notes.ignore("token_ids", why)
            return nil
        }
        r.seek(to: start)
        var ids: [Int32] = []
        ids.reserveCapacity(count)
        _ = try r.forEachElement { (r: inout JSONStream) throws(FormatError) in ids.append(try id(&r, &text) ?? 0) }
        return ids
    }

    /// The `parameters` entries whose option exists and whose value is in its ``ParameterSpec`` range.
    static func parameters(_ value: JSONValue, notes: inout SidecarNotes) -> [(name: String, value: String)] {
        guard let members = value.object else {
            notes.ignore("parameters", "not an object of option names")
            return []
        }
        var out: [(name: String, value: String)] = []
        for (name, v) in members {
            let entry = "parameters.\(SidecarNotes.shown(name))"
            guard let spec = ParameterSpec.named(name) else {
                notes.ignore(entry, "not an option (see: duquant-explorer help)")
                continue
            }
            let text: String
            switch v {
            case .bool(let on) where spec.isFlag:
                if on { out.append((name, "")) }
                continue
            case .number(let t) where !spec.isFlag, .string(let t) where !spec.isFlag: text = t
            default:
                notes.ignore(entry, spec.isFlag ? "a flag: true or false" : "not a number or a string")
                continue
            }
            var p = QuantParams()
            do throws(ParameterError) {
                try spec.parse(text, into: &p)
                if let problem = spec.problem(in: p) { throw ParameterError(problem) }
            } catch {
                notes.ignore(entry, SidecarNotes.shown(error.message, limit: 120))
                continue
            }
            out.append((name, text))
        }
        return out
    }
}

/// Entries of a sidecar that were left out, each with why: the first few named, the others counted, so
/// that a hostile file cannot flood the output.
struct SidecarNotes {
    /// How many entries are named; the others are counted in one more line.
    static let named = 16

    private(set) var lines: [String] = []
    private(set) var more = 0

    /// Notes that the entry at `entry` (a dotted path: `model_eval.methods.rtn.W4A4`) is ignored, and why.
    mutating func ignore(_ entry: String, _ why: String) {
        if lines.count < Self.named {
            lines.append("sidecar entry \"\(entry)\" ignored: \(why)")
        } else {
            more += 1
        }
    }

    /// One warning per note, in `file`.
    func warnings(file: String) -> [DumpError] {
        lines.map { DumpError(file: file, message: $0) }
            + (more > 0 ? [DumpError(file: file, message: "\(more) more sidecar entries ignored")] : [])
    }

    /// `text` cut to `limit` characters (names and numbers from a file can be of any length).
    static func shown(_ text: String, limit: Int = 40) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
