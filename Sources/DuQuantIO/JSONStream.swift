#if canImport(Glibc)
import Glibc
#endif

/// A pull reader of JSON text, read from a file in chunks: the caller takes the values it needs and
/// skips the rest, which is checked as JSON but never built (see `JSONStream+Skip.swift`).
///
/// A tree of a whole file costs tens of times its size; a reader holds one chunk, and what the caller
/// keeps. It is strict like `JSONParser` (RFC 8259 syntax, valid UTF-8 in strings, no unpaired
/// surrogates) and reports errors instead of trapping; positions in messages are byte offsets in the file.
///
/// ```swift
/// var r = JSONStream(bytes: Array(#"{"a": [1, 2]}"#.utf8))
/// try r.skipDocument()
/// ```
struct JSONStream {
    /// Where the bytes come from.
    enum Source {
        /// A file descriptor read with `pread` (the caller keeps it open).
        case file(Int32)
        /// Bytes in memory (tests; small values re-read from a file).
        case bytes([UInt8])
    }

    private let source: Source
    /// Bytes the document has (a file's size when it was opened).
    let size: Int
    private var buffer: [UInt8]
    /// File offset of `buffer[0]`.
    private var base = 0
    /// Valid bytes in `buffer`.
    private var filled = 0
    /// Position in `buffer`.
    private var i = 0

    /// Reads `size` bytes of the open file `fd`, `chunk` bytes at a time.
    init(fd: Int32, size: Int, chunk: Int = 1 << 16) {
        source = .file(fd)
        self.size = size
        buffer = [UInt8](repeating: 0, count: max(1, chunk))
    }

    /// Reads `bytes`, `chunk` bytes at a time (a small chunk exercises every refill).
    init(bytes: [UInt8], chunk: Int = 1 << 16) {
        source = .bytes(bytes)
        size = bytes.count
        buffer = [UInt8](repeating: 0, count: max(1, chunk))
    }

    /// The file offset of the next byte.
    var offset: Int { base + i }

    /// Continues reading at file offset `to` (a value read once to measure it, then again to keep it).
    mutating func seek(to target: Int) {
        if target >= base && target <= base + filled {
            i = target - base
        } else {
            base = target
            filled = 0
            i = 0
        }
    }

    /// A failure at the current position.
    func fail(_ what: String) -> FormatError { FormatError("invalid JSON at byte \(offset): \(what)") }

    /// Loads the chunk at the current offset; false at the end of the document.
    private mutating func refill() throws(FormatError) -> Bool {
        base += i
        i = 0
        filled = 0
        let want = min(buffer.count, size - base)
        guard want > 0 else { return false }
        switch source {
        case .bytes(let bytes):
            for k in 0..<want { buffer[k] = bytes[base + k] }
            filled = want
        case .file(let fd):
            while filled < want {
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, want - filled, off_t(base + filled)) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw FormatError("read failed at byte \(base + filled): \(String(cString: strerror(errno)))") }
                if n == 0 { break }  // the file shrank: what is left is the end
                filled += n
            }
        }
        return filled > 0
    }

    /// The next byte without taking it; nil at the end.
    @inline(__always)
    mutating func peek() throws(FormatError) -> UInt8? {
        if i < filled { return buffer[i] }
        return try refill() ? buffer[i] : nil
    }

    /// Takes the byte `peek` returned.
    @inline(__always)
    mutating func advance() { i += 1 }

    /// Whether the whole document has been read.
    mutating func atEnd() throws(FormatError) -> Bool { try peek() == nil }

    mutating func skipSpace() throws(FormatError) {
        while let c = try peek(), c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { advance() }
    }

    /// Takes `byte` (after any white space) or fails saying `what` was expected.
    mutating func expect(_ byte: UInt8, _ what: String) throws(FormatError) {
        try skipSpace()
        guard try peek() == byte else { throw fail("expected \(what)") }
        advance()
    }

    /// Takes the literal `word` (`true`, `false`, `null`).
    mutating func expectWord(_ word: String) throws(FormatError) {
        for c in word.utf8 {
            guard try peek() == c else { throw fail("expected '\(word)'") }
            advance()
        }
    }

    /// The bytes `from..<to` of the document, read again (a value measured by skipping it, kept when small).
    mutating func bytes(from start: Int, to end: Int) throws(FormatError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        seek(to: start)
        while offset < end, let c = try peek() {
            out.append(c)
            advance()
        }
        guard out.count == end - start else { throw fail("unexpected end") }
        return out
    }

    // MARK: Numbers

    /// Reads a number (RFC 8259 grammar), appending at most `limit` bytes of its text to `text`
    /// (`limit: 0` only checks it).
    mutating func number(into text: inout [UInt8], limit: Int) throws(FormatError) {
        func take(_ r: inout JSONStream, _ c: UInt8, _ text: inout [UInt8]) {
            if text.count < limit { text.append(c) }
            r.advance()
        }
        func digits(_ r: inout JSONStream, _ text: inout [UInt8]) throws(FormatError) -> Int {
            var n = 0
            while let c = try r.peek(), c >= 0x30, c <= 0x39 { take(&r, c, &text); n += 1 }
            return n
        }
        if try peek() == UInt8(ascii: "-") { take(&self, UInt8(ascii: "-"), &text) }
        if try peek() == UInt8(ascii: "0") {
            take(&self, UInt8(ascii: "0"), &text)
        } else if try digits(&self, &text) == 0 {
            throw fail("expected a digit")
        }
        if try peek() == UInt8(ascii: ".") {
            take(&self, UInt8(ascii: "."), &text)
            guard try digits(&self, &text) > 0 else { throw fail("expected a digit after '.'") }
        }
        if let e = try peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            take(&self, e, &text)
            if let s = try peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { take(&self, s, &text) }
            guard try digits(&self, &text) > 0 else { throw fail("expected a digit in the exponent") }
        }
    }
}
