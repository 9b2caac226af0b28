#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory; unmapped when the last reference goes.
///
/// Nothing is read until a byte is touched, so opening a multi-gigabyte dump costs a page or two.
/// The bytes are immutable, so any number of threads may read them at once.
///
/// If another process truncates the file while it is mapped, touching the lost pages raises
/// SIGBUS; that is the price of mapping and is not defended against here.
final class MappedFile: @unchecked Sendable {
    /// The path as given.
    let path: String
    /// The mapped bytes (empty for an empty file).
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    private let owned: Bool

    /// Maps `path`, which must be a regular file.
    init(path: String) throws(DumpError) {
        self.path = path
        // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever; it returns at once and
        // fails the regular-file check below. It changes nothing for regular files.
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw DumpError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { _ = Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw DumpError(file: path, message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw DumpError(file: path, message: "not a regular file")
        }
        let size = Int(st.st_size)
        owned = false
        guard size > 0 else {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw DumpError(file: path, message: "cannot map: \(String(cString: strerror(errno)))")
        }
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    /// Holds a private copy of `contents` as if it were the file `path` (for tests and fuzzing).
    init(copying contents: [UInt8], path: String) {
        self.path = path
        owned = true
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(contents.count, 1), alignment: 64)
        contents.withUnsafeBytes { src in
            if let s = src.baseAddress { p.copyMemory(from: s, byteCount: src.count) }
        }
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: contents.count)
    }

    deinit {
        guard let base else { return }
        if owned { base.deallocate() } else { _ = munmap(base, bytes.count) }
    }

    /// Size in bytes.
    var count: Int { bytes.count }
}
