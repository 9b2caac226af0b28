/// A sidecar's token texts, held as one buffer of UTF-8 bytes and the end of each text.
///
/// An array of `String` costs at least 16 bytes a token (more for texts past 15 bytes), several times
/// what a sidecar spends on a short token (`"a",`): here a token costs its bytes and four more.
///
/// ```swift
/// let t: TokenTexts = ["<s>", "The"]
/// t[1]   // "The"
/// ```
public struct TokenTexts: RandomAccessCollection, Equatable, Sendable, ExpressibleByArrayLiteral {
    private var utf8: [UInt8] = []
    private var ends: [UInt32] = []

    /// Empty, with room for `count` texts of `bytes` bytes in all.
    init(reservingCount count: Int, bytes: Int) {
        utf8.reserveCapacity(bytes)
        ends.reserveCapacity(count)
    }

    /// The texts `elements`, in order.
    public init(arrayLiteral elements: String...) {
        for e in elements { appendText { $0 += e.utf8 } }
    }

    /// Lets `fill` append one text's bytes (valid UTF-8) to the buffer, then ends the text there.
    mutating func appendText<E: Error>(_ fill: (inout [UInt8]) throws(E) -> Void) throws(E) {
        try fill(&utf8)
        ends.append(UInt32(utf8.count))
    }

    /// The first text's position (0).
    public var startIndex: Int { 0 }
    /// One past the last text's position: the number of texts.
    public var endIndex: Int { ends.count }

    /// The text at `position`.
    public subscript(position: Int) -> String {
        let start = position == 0 ? 0 : Int(ends[position - 1])
        return String(decoding: utf8[start..<Int(ends[position])], as: UTF8.self)
    }

    /// Bytes the storage holds (its capacity): the texts' bytes and four per text.
    package var retainedBytes: Int { utf8.capacity + 4 * ends.capacity }
}
