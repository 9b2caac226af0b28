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

    /// Maps `path`, which must be a regular file.
    init(path: String) throws(DumpError) {
        self.path = path
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
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

    deinit {
        if let base { _ = munmap(base, bytes.count) }
    }

    /// Size in bytes.
    var count: Int { bytes.count }
}
