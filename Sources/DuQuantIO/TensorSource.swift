/// Where one tensor's bytes live and how to get at them.
///
/// Mapped data (safetensors, .npy, stored .npz members) is read in place; deflated .npz members are
/// inflated into a temporary buffer on each load, bounded by `ZipArchive.maxMemberBytes`, and freed
/// after conversion (no cache, so memory does not grow with the number of layers visited).
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

    /// Calls `body` with the tensor's raw bytes (exactly `info.byteCount` of them).
    ///
    /// For .npz members the CRC-32 of the whole member is checked first, and for deflated ones the
    /// stream must produce exactly the declared size.
    func withBytes<R>(_ info: TensorInfo, _ body: (UnsafeRawBufferPointer) -> R) throws(DumpError) -> R {
        let r = ByteReader(bytes: file.bytes)
        switch storage {
        case .unreadable:
            throw DumpError(file: file.path, message: "tensor \"\(info.name)\": \(info.problem ?? "unreadable")")
        case .plain(let range):
            guard let data = r.slice(range.lowerBound, range.count), data.count == info.byteCount else {
                throw DumpError(file: file.path, message: "tensor \"\(info.name)\": data out of range")
            }
            return body(data)
        case .zipMember(let member, let dataOffset):
            func bad(_ what: String) -> DumpError { DumpError(file: file.path, message: "member \(member.name): \(what)") }
            guard let compressed = r.slice(member.dataRange.lowerBound, member.dataRange.count) else {
                throw bad("data out of range")
            }
            if member.method == 0 {
                guard crc32Of(compressed) == member.crc32 else { throw bad("CRC-32 mismatch (corrupt archive)") }
                guard let data = ByteReader(bytes: compressed).slice(dataOffset, info.byteCount) else {
                    throw bad("data out of range")
                }
                return body(data)
            }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: member.uncompressedSize, alignment: 64)
            defer { buffer.deallocate() }
            do throws(FormatError) {
                let inflater = try Inflater(compressed)
                let n = try inflater.inflate(into: buffer)
                guard n == member.uncompressedSize, try !inflater.hasMoreOutput() else {
                    throw FormatError("inflated size differs from the declared \(member.uncompressedSize) bytes")
                }
            } catch {
                throw bad(error.message)
            }
            let whole = UnsafeRawBufferPointer(buffer)
            guard crc32Of(whole) == member.crc32 else { throw bad("CRC-32 mismatch (corrupt archive)") }
            guard let data = ByteReader(bytes: whole).slice(dataOffset, info.byteCount) else {
                throw bad("data out of range")
            }
            return body(data)
        }
    }
}
