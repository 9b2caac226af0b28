import Dispatch
import DuQuantCore
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The core driven the way the explorer's executor drives it: several evaluations in flight on one
/// shared `EvaluationWorkspace`, parameters changing quickly, and stale work cancelled from another
/// thread. Run under the thread sanitizer with `make test-tsan`
/// (`swift test --sanitize=thread --filter ConcurrencyTests`); plain `swift test` runs it too.
@Suite struct ConcurrencyTests {
    static let layer = LayerData(
        name: "tsan.down_proj",
        input: TestData.activation(tokens: 32, channels: 48, outlierChannels: [3, 30], massive: (1, 7, 400)),
        weight: TestData.weight(out: 12, in: 48))

    /// The i-th parameter set of a quick sweep through every knob.
    static func params(_ i: Int) -> QuantParams {
        var p = QuantParams()
        p.abits = [4, 3, 6, 8][i % 4]
        p.wbits = [4, 8, 3][i % 3]
        p.block = [16, 12, 48, 7][i % 4]
        p.steps = [6, 0, 12][i % 3]
        p.alpha = [0.6, 0.5, 0.85][i % 3]
        p.seed = UInt64(i % 5)
        p.select = i % 2 == 0 ? .paper : .reference
        p.layout = i % 3 == 0 ? .shared : .perblock
        return p
    }

    /// Runs `body(i)` for i in 0..<count on concurrent threads and waits for all of them.
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for i in 0..<count {
            DispatchQueue.global().async(group: group) { body(i) }
        }
        group.wait()
    }

    @Test func rapidParameterChangesWithCancellationFromAnotherThread() {
        let workspace = EvaluationWorkspace(Self.layer)
        let completed = Atomic<Int>(0), cancelled = Atomic<Int>(0)
        let problems = Mutex<[String]>([])
        Self.concurrently(4) { worker in
            for round in 0..<6 {
                let i = worker * 6 + round
                let token = CancelToken()
                let p = Self.params(i)
                // Another thread cancels after a varying delay: sometimes before, during or after the work.
                let delay = [0, 200, 2_000, 20_000, 200_000][i % 5]
                DispatchQueue.global().async {
                    usleep(UInt32(delay))
                    token.cancel()
                }
                let lastProgress = Mutex<Double>(0)
                let e = workspace.evaluate(p, cancel: token) { f in
                    lastProgress.withLock { $0 = Swift.max($0, f) }
                }
                guard let e else {
                    cancelled.add(1, ordering: .relaxed)
                    continue
                }
                completed.add(1, ordering: .relaxed)
                if e.methods.count != Method.allCases.count || e.params != p {
                    problems.withLock { $0.append("round \(i): incomplete or wrong parameters") }
                }
                for (m, r) in e.methods where !NumericAudit.overflowedMetrics(r).isEmpty {
                    problems.withLock { $0.append("round \(i): \(m) not finite") }
                }
                if lastProgress.withLock({ $0 }) > 1 { problems.withLock { $0.append("round \(i): progress > 1") } }
            }
        }
        #expect(problems.withLock { $0 } == [])
        #expect(completed.load(ordering: .relaxed) + cancelled.load(ordering: .relaxed) == 24)
    }

    @Test func concurrentCalibrationsAreDeterministic() throws {
        let p = Self.params(1)
        let expected = try #require(DuQuant.calibrate(Self.layer, p))
        let mismatches = Atomic<Int>(0)
        Self.concurrently(4) { _ in
            guard let c = DuQuant.calibrate(Self.layer, p) else { mismatches.add(1, ordering: .relaxed); return }
            if c.matrix(.rotation2) != expected.matrix(.rotation2) || c.keptSteps != expected.keptSteps {
                mismatches.add(1, ordering: .relaxed)
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
    }

    @Test func cancelledBeforeStartReturnsNil() {
        let token = CancelToken()
        token.cancel()
        #expect(DuQuant.calibrate(Self.layer, Self.params(0), cancel: token) == nil)
        #expect(Evaluator.evaluate(Self.layer, Self.params(0), cancel: token) == nil)
    }

    /// Cancelling a long calibration from another thread stops it well before it would finish.
    @Test func cancellationStopsALongCalibration() {
        var p = QuantParams()
        p.block = 128
        p.steps = 100_000
        let big = LayerData(name: "big", input: TestData.activation(tokens: 256, channels: 512, outlierChannels: [9]),
                            weight: nil)
        let token = CancelToken()
        DispatchQueue.global().async {
            usleep(50_000)
            token.cancel()
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = DuQuant.calibrate(big, p, cancel: token)
        #expect(result == nil || clock.now - start < .seconds(30))
    }
}
