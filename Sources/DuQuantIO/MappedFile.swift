#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMapGuard

/// A whole file mapped read-only into memory for its headers, and read with `pread` for its data.
///
/// Nothing is read until a byte is touched, so opening a multi-gigabyte dump costs a page or two.
/// The bytes are immutable, so any number of threads may read them at once.
///
/// If another process truncates the file while it is mapped, touching the lost pages raises SIGBUS
/// (a dump truncated while `list` ran ended in "Bus error", exit 135). So the mapping serves only the
/// headers, parsed once at open, under a guard (`CMapGuard`) that answers a SIGBUS inside it with a page
/// of zeros; ``finishHeaders()`` then unmaps it and reports a file that changed meanwhile. Tensor data is
/// copied out with `pread` (``read(_:into:)``), which returns short instead of faulting, after
/// ``checkUnchanged()`` has compared the file's identity, size and modification time with what they were
/// at open. A changed file is one line, "FILE changed while reading", never a signal.
final class MappedFile: @unchecked Sendable {
    /// The path as given.
    let path: String
    /// The mapped bytes (empty for an empty file, and after ``finishHeaders()``).
    private(set) var bytes: UnsafeRawBufferPointer
    private var base: UnsafeMutableRawPointer?
    /// The SIGBUS guard's slot while the mapping is parsed (-1: none).
    private var guardSlot: Int32 = -1
    private let owned: Bool
    /// The open descriptor data is read through (-1 for in-memory contents).
    private let fd: Int32
    /// What the file was at open: device, inode, size and modification time.
    private let identity: Identity

    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int
        var modified: timespec

        init(_ st: stat) {
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
            size = Int(st.st_size)
            modified = st.st_mtim
        }

        init() { device = 0; inode = 0; size = 0; modified = timespec() }

        static func == (a: Identity, b: Identity) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
        }
    }

    /// Maps `path`, which must be a regular file.
    init(path: String) throws(DumpError) {
        self.path = path
        // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever; it returns at once and
        // fails the regular-file check below. It changes nothing for regular files.
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw DumpError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            _ = Glibc.close(fd)
            throw DumpError(file: path, message: "cannot stat: \(String(cString: strerror(e)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            _ = Glibc.close(fd)
            throw DumpError(file: path, message: "not a regular file")
        }
        let size = Int(st.st_size)
        owned = false
        self.fd = fd
        identity = Identity(st)
        guard size > 0 else {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            _ = Glibc.close(fd)
            throw DumpError(file: path, message: "cannot map: \(String(cString: strerror(errno)))")
        }
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: size)
        guardSlot = duq_mapguard_register(p, size)
    }

    /// Holds a private copy of `contents` as if it were the file `path` (for tests and fuzzing).
    init(copying contents: [UInt8], path: String) {
        self.path = path
        owned = true
        fd = -1
        identity = Identity()
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(contents.count, 1), alignment: 64)
        contents.withUnsafeBytes { src in
            if let s = src.baseAddress { p.copyMemory(from: s, byteCount: src.count) }
        }
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: contents.count)
    }

    deinit {
        if fd >= 0 { _ = Glibc.close(fd) }
        if owned { base?.deallocate() } else { releaseMapping() }
    }

    /// Unmaps the headers (a file's data is read with `pread`) and ends their guard; returns how many lost
    /// pages the guard replaced with zeros meanwhile. In-memory contents are kept: they are the data.
    @discardableResult
    private func releaseMapping() -> UInt {
        guard !owned, let base else { return 0 }
        let faults = guardSlot >= 0 ? duq_mapguard_unregister(guardSlot) : 0
        guardSlot = -1
        _ = munmap(base, bytes.count)
        self.base = nil
        bytes = UnsafeRawBufferPointer(start: nil, count: 0)
        return faults
    }

    /// Ends the header phase, before the file is shared with other threads: unmaps the headers and throws
    /// "changed while reading" if the file shrank or changed while they were parsed (a parse of such a file
    /// read zeros where pages were lost, so its result, success or error, is not to be trusted).
    func finishHeaders() throws(DumpError) {
        let faults = releaseMapping()
        try checkUnchanged()
        if faults > 0 { throw changed("it was cut short while its headers were read") }
    }

    /// The error for a file that is no longer what was opened.
    func changed(_ how: String) -> DumpError {
        DumpError(file: path, message: "changed while reading (\(how)); open it again")
    }

    /// Throws unless the file at `path` is still the one opened, with the same size and modification time.
    func checkUnchanged() throws(DumpError) {
        guard fd >= 0 else { return }
        var now = stat()
        guard fstat(fd, &now) == 0 else { throw changed("cannot stat: \(String(cString: strerror(errno)))") }
        let current = Identity(now)
        if current.size != identity.size { throw changed("its size went from \(identity.size) to \(current.size) bytes") }
        if current != identity { throw changed("it was modified") }
        var named = stat()
        if stat(path, &named) == 0, UInt64(named.st_dev) != identity.device || UInt64(named.st_ino) != identity.inode {
            throw changed("another file now has its name")
        }
    }

    /// Copies `range` of the file into `dst` (`range.count` bytes): with `pread`, so a file truncated
    /// meanwhile gives an error instead of SIGBUS. In-memory contents are copied from memory.
    func read(_ range: Range<Int>, into dst: UnsafeMutableRawPointer) throws(DumpError) {
        guard range.lowerBound >= 0, range.upperBound <= count else { throw changed("data out of range") }
        guard fd >= 0 else {
            if !range.isEmpty { dst.copyMemory(from: bytes.baseAddress! + range.lowerBound, byteCount: range.count) }
            return
        }
        var done = 0
        while done < range.count {
            let n = pread(fd, dst + done, Swift.min(range.count - done, 1 << 30), off_t(range.lowerBound + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw changed("read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw changed("it ended \(range.lowerBound + done) bytes in, short of its \(identity.size)") }
            done += n
        }
    }

    /// Size in bytes (as opened).
    var count: Int { fd >= 0 ? identity.size : bytes.count }
}
