#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The processors this process may run work on.
///
/// ```swift
/// let workers = Swift.min(8, Processors.online)
/// ```
public enum Processors {
    /// Online processors (at least 1).
    public static var online: Int { Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
