/// The 64-bit FNV-1a hash, fed piece by piece: the names of an export's files and generations, and the
/// fingerprint of a layer's tensors (``DumpFile/fingerprint(layer:)``) an exported file records.
///
/// Not a cryptographic hash: it tells runs and inputs apart, it does not defend against a forger.
///
/// ```swift
/// var f = Fingerprint()
/// f.add("model.layers.0.mlp.down_proj")
/// f.value      // UInt64
/// f.hex        // 16 lower-case hex digits
/// ```
package struct Fingerprint: Sendable {
    package private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    package init() {}

    /// The hash of `text`'s UTF-8 bytes.
    package static func of(_ text: String) -> UInt64 {
        var f = Fingerprint()
        f.add(text)
        return f.value
    }

    package mutating func add(_ text: String) {
        for b in text.utf8 { add(byte: b) }
    }

    package mutating func add(byte b: UInt8) {
        value ^= UInt64(b)
        value &*= Self.prime
    }

    /// Adds `bytes` in order.
    package mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes {
            h ^= UInt64(b)
            h &*= Self.prime
        }
        value = h
    }

    /// Adds `v`'s eight bytes, least significant first.
    package mutating func add(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { add($0) }
    }

    /// Adds each value's four bytes (its bit pattern, least significant byte first).
    package mutating func add(_ values: UnsafeBufferPointer<Float>) {
        var h = value
        for v in values {
            var bits = v.bitPattern
            for _ in 0..<4 {
                h ^= UInt64(bits & 0xff)
                h &*= Self.prime
                bits >>= 8
            }
        }
        value = h
    }

    /// `value` as 16 lower-case hex digits.
    package var hex: String { ExportNames.hex(value, digits: 16) }
}
