#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import DuQuantCompute

/// Splits element-wise kernels over the cores: row ranges for row-independent work, fixed chunks for
/// reductions whose result must not depend on the number of threads.
///
/// Small inputs run inline on the caller's thread: below ``minParallelElements`` the cost of waking
/// threads exceeds the work. Every task runs with denormals flushed (``FlushToZero``): GCD's worker
/// threads are not ours to configure once.
///
/// ```swift
/// ParallelRows.forEach(rows: m.rows, cols: m.cols) { range in
///     for r in range { /* row r */ }
/// }
/// ```
package enum ParallelRows {
    /// Elements below which a kernel stays on one thread.
    package static let minParallelElements = 1 << 16

    /// Online processors (at least 1).
    package static let cores: Int = Processors.online

    /// Calls `body` on consecutive row ranges covering `0..<rows`, in parallel when large enough.
    ///
    /// `body` must only write memory that belongs to its own rows.
    package static func forEach(rows: Int, cols: Int, _ body: (Range<Int>) -> Void) {
        guard rows > 0 else { return }
        let work = rows * Swift.max(cols, 1)
        // A few tasks per core balance a machine shared with other work.
        let tasks = Swift.min(rows, Swift.max(1, Swift.min(work / minParallelElements, cores * 4)))
        if tasks == 1 { FlushToZero.run { body(0..<rows) }; return }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let run = body
            DispatchQueue.concurrentPerform(iterations: tasks) { t in
                FlushToZero.run { run((t * rows / tasks)..<((t + 1) * rows / tasks)) }
            }
        }
    }

    /// Maps fixed chunks of `0..<count` (each `chunk` long, the last shorter) to partial results, in
    /// parallel; the partials come back in chunk order, so a reduction over them is deterministic.
    package static func mapChunks<T>(count: Int, chunk: Int = 1 << 16, _ body: (Range<Int>) -> T) -> [T] {
        guard count > 0 else { return [] }
        let n = (count + chunk - 1) / chunk
        if n == 1 { return [FlushToZero.run { body(0..<count) }] }
        var out = [T?](repeating: nil, count: n)
        out.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let dst = buf.baseAddress!
            withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let run = body
                DispatchQueue.concurrentPerform(iterations: n) { k in
                    dst[k] = FlushToZero.run { run((k * chunk)..<Swift.min(count, (k + 1) * chunk)) }
                }
            }
        }
        return out.map { $0! }
    }
}
