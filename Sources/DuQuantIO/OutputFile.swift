#if canImport(Glibc)
import Glibc
#endif

/// Writes a file the way `export` must: only onto a regular file or a new path, atomically, and with no
/// temporary file left behind on any failure.
///
/// - The target must not exist or be a regular file. A device node, FIFO, socket or directory is refused
///   and left untouched (as root, `-o /dev/null` used to replace the system's node with a file).
/// - A symbolic link is refused too, not followed: replacing the link by a file would break it, and
///   writing through it would let a link planted in a shared directory aim the write at any file the
///   user can write. Name the real path instead.
/// - The data goes to an unnamed file in the target's directory (`O_TMPFILE`), which is given a name only
///   once it is complete and synced, and then renamed over the target: a write error (disk full,
///   `EFBIG` under `ulimit -f`, with SIGXFSZ ignored) or a kill mid-write leaves nothing. Where the file
///   system lacks `O_TMPFILE`, a named temporary file is used and removed on every error path.
package enum OutputFile {
    /// Throws unless `path` is a regular file or does not exist.
    package static func checkTarget(_ path: String) throws(DumpError) {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw DumpError(file: path, message: "cannot check the output: \(String(cString: strerror(errno)))")
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFLNK:
            throw DumpError(file: path, message: "is a symbolic link; the output must be a regular file or a new path "
                + "(name the link's target instead)")
        case S_IFDIR: throw DumpError(file: path, message: "is a directory; the output must be a regular file or a new path")
        default:
            throw DumpError(file: path, message: "is not a regular file (a device, FIFO or socket); the output must be "
                + "a regular file or a new path, and it was left untouched")
        }
    }

    /// Writes `bytes` to `path` atomically (see the type's notes); `unnamedFirst: false` goes straight to
    /// the named-temporary-file fallback (for tests).
    package static func write(_ bytes: [UInt8], to path: String, unnamedFirst: Bool = true) throws(DumpError) {
        try checkTarget(path)
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        func failure(_ what: String, _ code: Int32 = errno) -> DumpError {
            DumpError(file: path, message: "cannot write: \(what): \(String(cString: strerror(code)))")
        }

        // An unnamed file first; a named temporary one where the file system cannot do that.
        var named: String? = nil
        var fd = unnamedFirst ? open(dir, __O_TMPFILE | O_DIRECTORY | O_WRONLY | O_CLOEXEC, 0o666) : -1
        if fd < 0 {
            guard !unnamedFirst || errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL else { throw failure("cannot create in \(dir)") }
            var template = Array("\(dir)/.\(base).tmp-XXXXXX".utf8CString)
            fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw failure("cannot create a temporary file in \(dir)") }
            named = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
            let mask = umask(0)
            umask(mask)
            fchmod(fd, 0o666 & ~mask)
        }
        var linked: String? = named
        var done = false
        defer {
            if fd >= 0 { close(fd) }
            if !done, let linked { unlink(linked) }
        }

        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("after \(offset) of \(bytes.count) bytes")
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw failure("sync") }
        if named == nil {
            // Give the finished file a temporary name beside the target, then rename it into place.
            for attempt in 0..<100 {
                let candidate = "\(dir)/.\(base).tmp-\(getpid())-\(attempt)"
                if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, candidate, AT_SYMLINK_FOLLOW) == 0 {
                    linked = candidate
                    break
                }
                if errno != EEXIST { throw failure("cannot name the finished file") }
            }
            guard linked != nil else { throw failure("cannot name the finished file", EEXIST) }
        }
        // Checked again just before the rename: what was a regular file may have been replaced meanwhile.
        try checkTarget(path)
        guard rename(linked!, path) == 0 else { throw failure("cannot rename into place") }
        done = true
    }

    /// Syncs directory `dir`, so that names made or renamed in it are on disk (a file system that cannot
    /// sync a directory, `EINVAL`, is taken as having nothing to do).
    package static func syncDirectory(_ dir: String) throws(DumpError) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw DumpError(file: dir, message: "cannot sync: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 || errno == EINVAL else {
            throw DumpError(file: dir, message: "cannot sync: \(String(cString: strerror(errno)))")
        }
    }
}
