import CZlib

/// Where one tensor's bytes live and how to get them out as `Float`.
///
/// Every load streams: data is read in chunks with `pread` (never through the mapping, see
/// `MappedFile`) and each chunk is converted straight into the result, so a tensor costs its `Float`
/// values and two 1 MB buffers, whatever its format. Deflated .npz members are inflated chunk by chunk
/// the same way: the member is never held inflated (a 1 MB archive inflating to 1 GiB used to be held
/// about three times over). The CRC-32 is computed on the way, and a stream that inflates to more or
/// fewer bytes than the central directory declared is an error.
struct TensorSource: Sendable {
    enum Storage: Sendable {
        /// Raw data at this absolute range of the file.
        case plain(Range<Int>)
        /// A .npz member; the tensor data starts `dataOffset` bytes into the uncompressed member.
        case zipMember(ZipArchive.Member, dataOffset: Int)
        /// Nothing readable: the tensor's `TensorInfo.problem` says why.
        case unreadable
    }

    let file: MappedFile
    let storage: Storage

    /// Bytes read or inflated per step.
    static let chunk = 1 << 20

    /// The tensor's `info.elementCount` values as `Float`.
    ///
    /// The file is checked to be unchanged before and after (see `MappedFile.checkUnchanged()`).
    func floats(_ info: TensorInfo) throws(DumpError) -> [Float] {
        if case .unreadable = storage {
            throw DumpError(file: file.path, message: "tensor \"\(info.name)\": \(info.problem ?? "unreadable")")
        }
        let count = info.elementCount
        guard let size = info.dtype.byteSize, size * count == info.byteCount else {
            throw DumpError(file: file.path, message: "tensor \"\(info.name)\" has unsupported dtype \(info.dtype.name)")
        }
        try file.checkUnchanged()
        guard count > 0 else { return [] }
        var failure: DumpError?
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            var sink = FloatSink(dst: buffer.baseAddress!, dtype: info.dtype, count: count)
            do throws(DumpError) {
                try fill(&sink, info)
                if sink.isComplete { initialized = count } else { failure = file.changed("data shorter than its shape") }
            } catch {
                failure = error
            }
            if failure != nil {
                // Whatever was converted is plain floats; hand back a defined array, then throw.
                buffer.baseAddress!.update(repeating: 0, count: count)
                initialized = count
            }
        }
        if let failure { throw failure }
        try file.checkUnchanged()
        return values
    }

    private func fill(_ sink: inout FloatSink, _ info: TensorInfo) throws(DumpError) {
        if case .plain(let range) = storage, info.dtype == .f32, range.count == info.byteCount {
            // Straight into the result.
            try file.read(range, into: UnsafeMutableRawPointer(sink.dst))
            sink.consumeDirect(info.elementCount)
            return
        }
        try storedBytes(info) { sink.consume($0) }
    }

    /// Calls `body` with consecutive pieces of the tensor's stored bytes (`info.byteCount` in all).
    func storedBytes(_ info: TensorInfo, _ body: (UnsafeRawBufferPointer) -> Void) throws(DumpError) {
        switch storage {
        case .unreadable:
            throw DumpError(file: file.path, message: "tensor \"\(info.name)\": \(info.problem ?? "unreadable")")
        case .plain(let range):
            guard range.count == info.byteCount else {
                throw DumpError(file: file.path, message: "tensor \"\(info.name)\": data out of range")
            }
            try withScratch { (buf) throws(DumpError) in
                var at = range.lowerBound
                while at < range.upperBound {
                    let n = Swift.min(buf.count, range.upperBound - at)
                    try file.read(at..<(at + n), into: buf.baseAddress!)
                    body(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
                    at += n
                }
            }
        case .zipMember(let member, let dataOffset):
            let data = dataOffset..<(dataOffset + info.byteCount)
            try streamMember(member) { (offset, bytes) in
                // The part of this piece of the member that is tensor data.
                let lo = Swift.max(offset, data.lowerBound), hi = Swift.min(offset + bytes.count, data.upperBound)
                if lo < hi { body(UnsafeRawBufferPointer(rebasing: bytes[(lo - offset)..<(hi - offset)])) }
            }
        }
    }

    /// Calls `body` with consecutive runs of the tensor's values as `Float` and the index of each run's
    /// first element, holding at most ``chunk`` bytes of them at a time (statistics without a copy).
    func streamFloats(_ info: TensorInfo, _ body: (Int, UnsafeBufferPointer<Float>) -> Void) throws(DumpError) {
        guard let size = info.dtype.byteSize, size * info.elementCount == info.byteCount else {
            throw DumpError(file: file.path, message: "tensor \"\(info.name)\" has unsupported dtype \(info.dtype.name)")
        }
        try file.checkUnchanged()
        let perRun = Self.chunk / 4
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: perRun * size, alignment: 64)
        let floats = UnsafeMutableBufferPointer<Float>.allocate(capacity: perRun)
        defer { raw.deallocate(); floats.deallocate() }
        var fill = 0, element = 0
        func flush() {
            let n = fill / size
            _ = FloatConversion.convert(raw.baseAddress!, dtype: info.dtype, into: floats.baseAddress!, count: n)
            body(element, UnsafeBufferPointer(rebasing: floats[0..<n]))
            element += n
            fill = 0
        }
        try storedBytes(info) { piece in
            var rest = piece
            while !rest.isEmpty {
                let take = Swift.min(raw.count - fill, rest.count)
                (raw.baseAddress! + fill).copyMemory(from: rest.baseAddress!, byteCount: take)
                fill += take
                rest = UnsafeRawBufferPointer(rebasing: rest[take...])
                if fill == raw.count { flush() }
            }
        }
        if fill > 0 { flush() }
        try file.checkUnchanged()
    }

    /// Calls `body` with each consecutive piece of the uncompressed member and its offset in the member,
    /// checking the declared size and the CRC-32 over the whole member.
    func streamMember(_ member: ZipArchive.Member,
                      _ body: (Int, UnsafeRawBufferPointer) -> Void) throws(DumpError) {
        func bad(_ what: String) -> DumpError { DumpError(file: file.path, message: "member \(member.name): \(what)") }
        var crc = crc32(0, nil, 0)
        var produced = 0
        let range = member.dataRange
        if member.method == 0 {
            try withScratch { (buf) throws(DumpError) in
                var at = range.lowerBound
                while at < range.upperBound {
                    let n = Swift.min(buf.count, range.upperBound - at)
                    try file.read(at..<(at + n), into: buf.baseAddress!)
                    let piece = UnsafeRawBufferPointer(rebasing: buf[0..<n])
                    crc = crc32Update(crc, piece)
                    body(produced, piece)
                    produced += n
                    at += n
                }
            }
        } else {
            try withScratch { (input) throws(DumpError) in
                try withScratch { (output) throws(DumpError) in
                    do throws(FormatError) {
                        let inflater = try Inflater(UnsafeRawBufferPointer(start: nil, count: 0))
                        var at = range.lowerBound
                        while !inflater.ended {
                            if inflater.needsInput && at < range.upperBound {
                                let n = Swift.min(input.count, range.upperBound - at)
                                do throws(DumpError) { try file.read(at..<(at + n), into: input.baseAddress!) } catch {
                                    throw FormatError(error.message)
                                }
                                inflater.supply(UnsafeRawBufferPointer(rebasing: input[0..<n]))
                                at += n
                            }
                            let made = try inflater.inflate(into: output, moreInput: at < range.upperBound)
                            guard produced + made <= member.uncompressedSize else {
                                throw FormatError("inflated size differs from the declared \(member.uncompressedSize) bytes")
                            }
                            let piece = UnsafeRawBufferPointer(rebasing: output[0..<made])
                            crc = crc32Update(crc, piece)
                            body(produced, piece)
                            produced += made
                            if made == 0 && inflater.needsInput && at >= range.upperBound && !inflater.ended {
                                throw FormatError("compressed data ends before the deflate stream does")
                            }
                        }
                    } catch {
                        throw bad(error.message)
                    }
                }
            }
        }
        guard produced == member.uncompressedSize else {
            throw bad("inflated size differs from the declared \(member.uncompressedSize) bytes")
        }
        guard UInt32(truncatingIfNeeded: crc) == member.crc32 else { throw bad("CRC-32 mismatch (corrupt archive)") }
    }

    /// Runs `body` with a fresh scratch buffer of ``chunk`` bytes.
    private func withScratch(_ body: (UnsafeMutableRawBufferPointer) throws(DumpError) -> Void) throws(DumpError) {
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunk, alignment: 64)
        defer { buf.deallocate() }
        try body(buf)
    }
}

/// `crc` continued over `bytes`.
func crc32Update(_ crc: uLong, _ bytes: UnsafeRawBufferPointer) -> uLong {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
    return crc32(crc, base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count))
}
