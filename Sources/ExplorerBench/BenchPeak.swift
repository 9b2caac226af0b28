import DuQuantCompute
import DuQuantCore
import ExplorerCLI
import SyntheticLayers

/// The machine's measured sgemm peak: a 2048×4096×4096 product on 1 and 2 BLAS threads, beside the
/// BLAS in use (library, version, core) and independent BLAS libraries measured in the same run.
struct BenchPeak {
    /// GFLOP/s on one thread.
    var oneThread: Double
    /// GFLOP/s on two threads.
    var twoThreads: Double
    /// The table rows.
    var table: BenchTable

    /// Flops of one 2048×4096 · (4096×4096)ᵀ product.
    static let flops = 2.0 * 2048 * 4096 * 4096

    /// Measures both thread counts (`runs` after one warm-up; the best run is the peak, the median is
    /// shown beside it) and restores the thread setting.
    static func measure(runs: Int) -> BenchPeak {
        let a = SyntheticLayer.gaussianMatrix(rows: 2048, cols: 4096, scale: 1, seed: 11)
        let b = SyntheticLayer.gaussianMatrix(rows: 4096, cols: 4096, scale: 1, seed: 12)
        let saved = BLAS.threads
        defer { BLAS.setThreads(saved) }
        var table = BenchTable(title: "Machine: sgemm peak (C = A·Bᵀ, 2048×4096×4096)")
        table.note("BLAS", BLASCoreSelection.libraryLine)
        table.note("BLAS core", BLASCoreSelection.coreLine)
        table.note("CPU", "\(CPUFeatures.current)")
        var rates: [Int: Double] = [:]
        for threads in [1, 2] {
            BLAS.setThreads(threads)
            _ = a.multipliedTransposed(by: b)  // warm-up: thread start, page faults
            var times: [Double] = []
            for _ in 0..<runs { times.append(BenchClock.time { _ = a.multipliedTransposed(by: b) }) }
            let best = times.min()!
            // The peak is what the machine can do: the best run. Other users' load only lowers a run.
            rates[threads] = flops / best / 1e9
            table.add("sgemm, \(threads) thread\(threads == 1 ? "" : "s"), median of \(runs)", BenchClock.median(times), flops: flops)
            table.add("sgemm, \(threads) thread\(threads == 1 ? "" : "s"), best of \(runs) (the peak used below)", best, flops: flops)
        }
        // Independent BLAS libraries, same product, same run: is our peak what this machine can do?
        var best = 0.0
        for (label, result, why) in BenchPeerPeak.measure(runs: runs) {
            guard let result else { table.note("\(label), 2 threads", why); continue }
            best = max(best, result.gflops)
            table.add("\(label): \(result.library) \(result.version) (\(result.core)), 2 threads, best of \(runs)",
                      flops / result.gflops / 1e9, flops: flops)
        }
        if best > 0 { table.note("our 2-thread peak against the best independent BLAS", BenchPeerPeak.verdict(ours: rates[2]!, best: best)) }
        return BenchPeak(oneThread: rates[1]!, twoThreads: rates[2]!, table: table)
    }
}
