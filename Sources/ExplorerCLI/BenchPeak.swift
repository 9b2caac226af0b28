import DuQuantCore

/// The machine's measured sgemm peak: a 2048×4096×4096 product on 1 and 2 BLAS threads.
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
        var table = BenchTable(title: "Machine: sgemm peak (OpenBLAS, C = A·Bᵀ, 2048×4096×4096)")
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
        return BenchPeak(oneThread: rates[1]!, twoThreads: rates[2]!, table: table)
    }
}
