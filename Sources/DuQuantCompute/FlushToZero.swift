import CFloatEnv

/// Flush-to-zero and denormals-are-zero on the threads that run numeric work.
///
/// Denormal floats (|x| < 1.18e-38) are ~100× slower than normal ones on many x86 cores: a 1 MB file of
/// 256×1024 values of 1e-44 took 241 s in `report` against 1.45 s for ordinary values of the same shape.
/// With FTZ/DAZ set, denormal operands read as 0 and denormal results become 0, at full speed.
///
/// Effect on results: none for values and results of magnitude above 1.18e-38 (`Float.leastNormalMagnitude`);
/// below it, values count as 0 (a layer of only denormals reports max |x| 0, as an all-zero layer does).
/// The mode is per thread, so it is set where work starts: `ParallelRows` tasks (GCD's worker threads),
/// the public entry points of the core (``EvaluationWorkspace``, ``DuQuant``, ``ActivationStats``), and
/// the command line's main thread. OpenBLAS's own threads are outside our reach; the data they see is
/// flushed at load (``LayerData/flushingSubnormals()``) and comes from our flushed threads otherwise.
///
/// ```swift
/// let y = FlushToZero.run { heavyKernel(x) }   // restores the caller's mode afterwards
/// ```
package enum FlushToZero {
    /// Runs `body` with FTZ/DAZ set on this thread, then restores the mode found.
    @inline(__always)
    package static func run<T>(_ body: () throws -> T) rethrows -> T {
        let saved = duq_fp_mode_get()
        let wanted = saved | duq_fp_mode_flush_bits()
        if wanted != saved { duq_fp_mode_set(wanted) }
        defer { if wanted != saved { duq_fp_mode_set(saved) } }
        return try body()
    }

    /// Sets FTZ/DAZ on the calling thread for good (the command line's main thread).
    public static func enableOnThisThread() {
        duq_fp_mode_set(duq_fp_mode_get() | duq_fp_mode_flush_bits())
    }

    /// Whether the calling thread flushes denormals (always false where there is no such mode).
    public static var isEnabledOnThisThread: Bool {
        let bits = duq_fp_mode_flush_bits()
        return bits != 0 && duq_fp_mode_get() & bits == bits
    }
}
