#if canImport(Glibc)
import Glibc
#endif
import DuQuantIO

/// Which binary this is, exactly: the version and a fingerprint of the executable's bytes.
///
/// `export --all-layers` records it in each file (`binary`) and names its generation after it, so a
/// rerun keeps a file only if the same build wrote it; the distributed driver compares it across nodes
/// (`--version` prints it) before any work, since nodes running different builds would not give the
/// same bytes.
///
/// ```
/// duquant-explorer 0.1.0 (build 3f0c9a1b5e2d4c6f)
/// ```
enum BuildIdentity {
    /// `duquant-explorer VERSION (build HEX)`; `(build unknown)` when the executable cannot be read.
    static let binary: String = "duquant-explorer \(CLI.version) (build \(executableFingerprint() ?? "unknown"))"

    /// 16 hex digits of ``Fingerprint`` over `/proc/self/exe`, read in 1 MB pieces.
    static func executableFingerprint() -> String? {
        let fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var f = Fingerprint()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return f.hex }
            f.add(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}
