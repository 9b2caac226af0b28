/// A direct scan of the common safetensors header: one object of tensor descriptions
/// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}` (keys in any order) and an optional
/// `__metadata__` object of strings, with plain (escape-free ASCII or UTF-8) names.
///
/// It builds no JSON tree: a header of a million tensors took seconds in the generic parser, most of it
/// allocating strings for every number and key. Anything it does not expect — an escape, another key, a
/// number that is not a plain non-negative integer, a duplicate, malformed JSON — makes it give up (nil),
/// and the generic parser then reads the header and reports what is wrong, so errors are unchanged.
extension SafetensorsHeader {
    struct Scanned {
        var name: String
        var dtype: String
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    static func scan(_ b: UnsafeRawBufferPointer) -> (tensors: [Scanned], metadata: [String: String])? {
        var s = Scanner(b: b)
        s.space()
        guard s.take(UInt8(ascii: "{")) else { return nil }
        var tensors: [Scanned] = []
        var metadata: [String: String] = [:]
        var sawMetadata = false
        s.space()
        if s.take(UInt8(ascii: "}")) { s.space(); return s.atEnd ? (tensors, metadata) : nil }
        while true {
            s.space()
            guard let name = s.string() else { return nil }
            s.space()
            guard s.take(UInt8(ascii: ":")) else { return nil }
            s.space()
            if name == "__metadata__" {
                guard !sawMetadata, let m = s.stringObject() else { return nil }
                metadata = m
                sawMetadata = true
            } else {
                guard let t = s.description(name) else { return nil }
                tensors.append(t)
            }
            s.space()
            if s.take(UInt8(ascii: ",")) { continue }
            guard s.take(UInt8(ascii: "}")) else { return nil }
            s.space()
            guard s.atEnd else { return nil }
            // Duplicate names: the generic parser names the first one.
            var names = Set<String>(minimumCapacity: tensors.count)
            for t in tensors where !names.insert(t.name).inserted { return nil }
            return (tensors, metadata)
        }
    }

    private struct Scanner {
        let b: UnsafeRawBufferPointer
        var i = 0

        var atEnd: Bool { i == b.count }

        mutating func space() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func take(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }

        /// A string without escapes or control characters, validated as UTF-8.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = i
            var ascii = true
            while i < b.count, b[i] != UInt8(ascii: "\"") {
                let c = b[i]
                if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
                ascii = ascii && c < 0x80
                i += 1
            }
            guard i < b.count else { return nil }
            let raw = UnsafeRawBufferPointer(rebasing: b[start..<i])
            i += 1
            return ascii ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self)
        }

        /// A non-negative integer without sign, fraction or exponent, and no leading zero (as JSON).
        mutating func integer() -> Int? {
            let start = i
            var v = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                guard let m = Checked.mul(v, 10), let a = Checked.add(m, Int(b[i] - 0x30)) else { return nil }
                v = a
                i += 1
            }
            guard i > start, !(b[start] == 0x30 && i - start > 1) else { return nil }
            // A fraction or exponent: not an integer here (the generic path judges it).
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") { return nil }
            return v
        }

        mutating func integers() -> [Int]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var out: [Int] = []
            space()
            if take(UInt8(ascii: "]")) { return out }
            while true {
                space()
                guard let v = integer() else { return nil }
                out.append(v)
                space()
                if take(UInt8(ascii: ",")) { continue }
                return take(UInt8(ascii: "]")) ? out : nil
            }
        }

        /// `{"dtype": …, "shape": […], "data_offsets": [b, e]}`, each key exactly once and no other.
        mutating func description(_ name: String) -> Scanned? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var dtype: String?, shape: [Int]?, offsets: [Int]?
            while true {
                space()
                guard let key = string() else { return nil }
                space()
                guard take(UInt8(ascii: ":")) else { return nil }
                space()
                switch key {
                case "dtype" where dtype == nil: dtype = string()
                case "shape" where shape == nil: shape = integers()
                case "data_offsets" where offsets == nil: offsets = integers()
                default: return nil
                }
                space()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")), let dtype, let shape, let offsets, offsets.count == 2 else { return nil }
                return Scanned(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
            }
        }

        /// An object of strings (`__metadata__`), without duplicate keys.
        mutating func stringObject() -> [String: String]? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var out: [String: String] = [:]
            space()
            if take(UInt8(ascii: "}")) { return out }
            while true {
                space()
                guard let k = string() else { return nil }
                space()
                guard take(UInt8(ascii: ":")) else { return nil }
                space()
                guard let v = string(), out.updateValue(v, forKey: k) == nil else { return nil }
                space()
                if take(UInt8(ascii: ",")) { continue }
                return take(UInt8(ascii: "}")) ? out : nil
            }
        }
    }
}
