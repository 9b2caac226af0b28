import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Who may be inside OpenBLAS at once, and when its thread count may change.
///
/// - While OpenBLAS runs one thread per call, any number of callers may be inside: each call runs on its
///   caller's thread with a buffer from the library's locked pool (the per-block searches rely on this).
/// - While it runs its own thread pool, one caller at a time: the pool and its buffers are shared, and not
///   every build supports two callers driving them at once.
/// - The thread count changes only when nobody is inside: changing it under a running call tears down the
///   pool that call is using (seen as "BLAS : Bad memory unallocation" and a crash inside libopenblas).
///
/// A pthread read-write lock that prefers writers, so a stream of single-threaded callers cannot starve a
/// thread-count change; the thread sanitizer sees it.
final class BLASGate: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    /// OpenBLAS's thread count; written only under the write lock.
    private var setting: Int

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        var attr = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attr)
        pthread_rwlockattr_setkind_np(&attr, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(lock, &attr)
        pthread_rwlockattr_destroy(&attr)
        setting = Int(duq_blas_get_threads())
    }

    /// Runs one library call under the rule above.
    func call<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        if setting == 1 {
            defer { pthread_rwlock_unlock(lock) }
            return try body()
        }
        pthread_rwlock_unlock(lock)
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    /// Sets OpenBLAS's thread count once no call is inside.
    func setThreads(_ n: Int) {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        duq_blas_set_threads(Int32(n))
        setting = Int(duq_blas_get_threads())
    }

    /// The thread count OpenBLAS uses for one call.
    var threads: Int {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return setting
    }
}
