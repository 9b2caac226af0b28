import CZlib

/// A raw-deflate (zip method 8) decompressor that fills caller-provided buffers.
///
/// Feeding it a buffer smaller than the stream stops cleanly when the buffer is full, which is how a
/// member's .npy header is read without inflating its data. Memory is bounded by the buffers given.
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var input: UnsafeRawBufferPointer
    private var consumed = 0
    private(set) var ended = false

    /// Whether all the input given so far has been consumed (``supply(_:)`` may then give more).
    var needsInput: Bool { consumed >= input.count }

    /// Gives the next piece of the compressed stream, once the previous one is consumed. The memory must
    /// stay valid until it is consumed in turn.
    func supply(_ next: UnsafeRawBufferPointer) {
        precondition(needsInput, "the previous input is not consumed yet")
        input = next
        consumed = 0
    }

    /// Starts inflating `input`, a raw deflate stream (or its first piece, see ``supply(_:)``).
    init(_ input: UnsafeRawBufferPointer) throws(FormatError) {
        self.input = input
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard duq_inflate_init_raw(stream) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw FormatError("zlib could not start inflating")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates into `out` until it is full or the stream ends; returns the bytes written.
    ///
    /// Throws on corrupt data and on input that ends before the stream does. With `moreInput`, running
    /// out of input is not an end: it returns what it made so far, to be called again after ``supply(_:)``.
    func inflate(into out: UnsafeMutableRawBufferPointer, moreInput: Bool = false) throws(FormatError) -> Int {
        var produced = 0
        // zlib counts in 32-bit units; feed both sides in chunks below that.
        let chunk = 1 << 30
        while !ended && produced < out.count {
            let inCount = min(chunk, input.count - consumed)
            let outCount = min(chunk, out.count - produced)
            stream.pointee.next_in = inCount > 0
                ? UnsafeMutablePointer(mutating: input.baseAddress.map { ($0 + consumed).assumingMemoryBound(to: Bytef.self) })
                : nil
            stream.pointee.avail_in = uInt(inCount)
            stream.pointee.next_out = out.baseAddress.map { ($0 + produced).assumingMemoryBound(to: Bytef.self) }
            stream.pointee.avail_out = uInt(outCount)
            let rc = CZlib.inflate(stream, Z_NO_FLUSH)
            let usedIn = inCount - Int(stream.pointee.avail_in)
            let madeOut = outCount - Int(stream.pointee.avail_out)
            consumed += usedIn
            produced += madeOut
            switch rc {
            case Z_STREAM_END:
                ended = true
            case Z_OK, Z_BUF_ERROR:
                // No progress with room on both sides cannot happen; without input it means truncation.
                if usedIn == 0 && madeOut == 0 {
                    if moreInput && consumed >= input.count { return produced }
                    throw FormatError(consumed >= input.count
                        ? "compressed data ends before the deflate stream does"
                        : "inflate made no progress (code \(rc))")
                }
            default:
                let msg = stream.pointee.msg.map { String(cString: $0) } ?? "code \(rc)"
                throw FormatError("corrupt deflate data (\(msg))")
            }
        }
        return produced
    }

    /// Whether the stream has more output after what was read so far (probes one byte).
    func hasMoreOutput() throws(FormatError) -> Bool {
        if ended { return false }
        var byte: UInt8 = 0
        let n = try withUnsafeMutableBytes(of: &byte) { (b) throws(FormatError) -> Int in try inflate(into: b) }
        return n > 0
    }
}
