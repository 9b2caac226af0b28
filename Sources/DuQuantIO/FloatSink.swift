/// Converts a stream of stored element bytes, arriving in chunks of any size, into `Float`s in place.
///
/// This is how a tensor is read without an intermediate copy of its bytes: each chunk (read with
/// `pread`, or inflated from an .npz member) is converted straight into the destination. An element cut
/// by a chunk boundary waits in a carry of at most 7 bytes.
struct FloatSink {
    let dst: UnsafeMutablePointer<Float>
    let dtype: DType
    let elementSize: Int
    /// Elements expected in all.
    let count: Int
    /// Elements written so far.
    private(set) var written = 0
    private var carry: (UInt64, Int) = (0, 0)

    init(dst: UnsafeMutablePointer<Float>, dtype: DType, count: Int) {
        self.dst = dst
        self.dtype = dtype
        self.elementSize = dtype.byteSize ?? 1
        self.count = count
    }

    /// Whether every element has arrived.
    var isComplete: Bool { written == count && carry.1 == 0 }

    /// Records `n` elements written into `dst` directly (f32 read in place).
    mutating func consumeDirect(_ n: Int) { written += n }

    /// Converts `chunk` (which must not run past the tensor's last element).
    mutating func consume(_ chunk: UnsafeRawBufferPointer) {
        guard var p = chunk.baseAddress, chunk.count > 0 else { return }
        var left = chunk.count
        if carry.1 > 0 {
            let take = Swift.min(elementSize - carry.1, left)
            withUnsafeMutableBytes(of: &carry.0) { c in
                c.baseAddress!.advanced(by: carry.1).copyMemory(from: p, byteCount: take)
            }
            carry.1 += take
            p += take
            left -= take
            if carry.1 == elementSize {
                withUnsafeBytes(of: carry.0) { c in _ = FloatConversion.convert(c.baseAddress!, dtype: dtype, into: dst + written, count: 1) }
                written += 1
                carry.1 = 0
            }
        }
        let whole = Swift.min(left / elementSize, count - written)
        if whole > 0 {
            _ = FloatConversion.convert(p, dtype: dtype, into: dst + written, count: whole)
            written += whole
            p += whole * elementSize
            left -= whole * elementSize
        }
        if left > 0 && written < count {
            withUnsafeMutableBytes(of: &carry.0) { c in c.baseAddress!.copyMemory(from: p, byteCount: Swift.min(left, elementSize - 1)) }
            carry.1 = Swift.min(left, elementSize - 1)
        }
    }
}
