#if canImport(Glibc)
import Glibc
#endif

/// How much memory this process can have: the least of physical memory, the cgroup's limit and the
/// address-space limit.
///
/// The core's `MemoryBudget` takes its default from here; it reads no files itself.
///
/// ```swift
/// let bytes = ProcessMemory.availableBytes()   // e.g. 16 GB, or a container's 4 GB
/// ```
public enum ProcessMemory {
    /// The smallest of physical memory, the cgroup's `memory.max` and `RLIMIT_AS`; 8 GB when none is known.
    public static func availableBytes() -> Int {
        var limit = Int.max
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, size > 0 { limit = pages.multipliedReportingOverflow(by: size).overflow ? Int.max : pages * size }
        if let text = readSmallFile("/sys/fs/cgroup/memory.max"), let v = Int(text) { limit = Swift.min(limit, v) }
        var rl = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &rl) == 0, rl.rlim_cur < UInt(Int.max) {
            limit = Swift.min(limit, Int(rl.rlim_cur))
        }
        return limit == Int.max ? 8 << 30 : limit
    }

    /// The first word of a small file (a cgroup setting), or nil when it cannot be read.
    private static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 64)
        let n = read(fd, &buf, buf.count)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).first.map(String.init)
    }
}
