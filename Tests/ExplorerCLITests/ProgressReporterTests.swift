import Dispatch
import DuQuantCore
import ExplorerModel
import Testing
@testable import ExplorerRuntime

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ProgressReporterTests {
    // Regression (issue 9): the per-block searches report progress from several worker threads at once;
    // a thread holding an older clock reading than the `lastPost` another had just stored computed
    // `now - lastPost` in UInt64, which trapped: the release explorer crashed mid-calibration (found by
    // the live-loop end-to-end test, 1 run in ~55).
    @Test func reportsFromManyThreadsAtOnce() {
        let posted = Locked(0)
        let reporter = ProgressReporter(kind: .evaluate, generation: 1, post: { _ in posted.withLock { $0 += 1 } },
                                        synchronous: false)
        usleep(120_000)  // past the 100 ms before which nothing is posted
        // ~1.5 s of reports from 8 threads on the machine's cores: ~30 posting moments, each a chance for
        // the race (the old code trapped within a few of them).
        let end = DispatchTime.now().uptimeNanoseconds + 1_500_000_000
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            var i = 0
            while DispatchTime.now().uptimeNanoseconds < end {
                reporter.report(Double(i % 1000) / 1000)
                i += 1
            }
        }
        reporter.finish()
        // Rate-limited: some posts, far fewer than reports.
        let n = posted.withLock { $0 }
        #expect(n >= 10 && n < 200, "\(n) posts")
    }
}
