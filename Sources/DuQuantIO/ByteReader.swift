/// Bounds-checked little-endian reads from a byte buffer; every read returns nil when out of range.
///
/// Parsers of untrusted files read through this so that no offset taken from the file can reach
/// memory outside the buffer, and no arithmetic on it can trap.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer

    var count: Int { bytes.count }

    /// The `T` stored little-endian at `offset`, or nil when `offset..<offset+size` is not inside.
    @inline(__always)
    func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        guard offset >= 0, offset <= bytes.count, bytes.count - offset >= MemoryLayout<T>.size else {
            return nil
        }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    func u8(_ offset: Int) -> UInt8? { load(UInt8.self, at: offset) }
    func u16(_ offset: Int) -> UInt16? { load(UInt16.self, at: offset) }
    func u32(_ offset: Int) -> UInt32? { load(UInt32.self, at: offset) }
    func u64(_ offset: Int) -> UInt64? { load(UInt64.self, at: offset) }

    /// The sub-buffer `offset..<offset+length`, or nil when it is not inside.
    func slice(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, length >= 0, offset <= bytes.count, bytes.count - offset >= length else {
            return nil
        }
        guard length > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
    }

    /// Whether the bytes at `offset` equal `prefix`.
    func matches(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
        guard let s = slice(offset, prefix.count) else { return false }
        return s.elementsEqual(prefix)
    }
}

/// Overflow-checked helpers for sizes read from files.
enum Checked {
    /// `a * b`, or nil on overflow.
    static func mul(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : r
    }

    /// `a + b`, or nil on overflow.
    static func add(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? nil : r
    }

    /// A `UInt64` from a file as `Int`, or nil if it does not fit.
    static func int(_ v: UInt64) -> Int? { v <= UInt64(Int.max) ? Int(v) : nil }

    /// The element count of `shape`, or nil if a dimension is negative or the product of the
    /// non-zero dimensions overflows (so that every partial product is also safe to compute).
    static func elementCount(_ shape: [Int]) -> Int? {
        var nonZero = 1
        var hasZero = false
        for d in shape {
            guard d >= 0 else { return nil }
            if d == 0 { hasZero = true; continue }
            guard let p = mul(nonZero, d) else { return nil }
            nonZero = p
        }
        return hasZero ? 0 : nonZero
    }

    /// `elementCount(shape) * elementSize`, or nil on overflow.
    static func byteCount(_ shape: [Int], elementSize: Int) -> Int? {
        guard let n = elementCount(shape) else { return nil }
        return mul(n, elementSize)
    }
}
