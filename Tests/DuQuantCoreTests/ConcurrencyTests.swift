import Dispatch
import Foundation
@testable import DuQuantCore
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

    /// How soon a cancelled calibration must return (see ``cancellationStopsALongCalibration()``).
    static let calibrationLatencyBound: Duration = underThreadSanitizer ? .seconds(2) : .milliseconds(500)

    /// Whether this build runs under the thread sanitizer (`make test-tsan` defines `THREAD_SANITIZER`).
    #if THREAD_SANITIZER
    static let underThreadSanitizer = true
    #else
    static let underThreadSanitizer = false
    #endif

    /// Runs `body` on a thread of its own after a delay. Not on a GCD queue: under `swift test --parallel`
    /// the other suites can keep every pool thread busy, and the cancel arrived only after the work ended.
    static func after(microseconds: UInt32, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            usleep(microseconds)
            body()
        }
        thread.start()
    }

    /// Runs `body(i)` for i in 0..<count on concurrent threads and waits for all of them.
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for i in 0..<count {
            DispatchQueue.global().async(group: group) { body(i) }
        }
        group.wait()
    }

    // Regression (issue 9): this test used to assert `completed + cancelled == 24` (every round counts
    // one of them) and `e.params != p` (evaluate sets it): neither could fail. Now every result that
    // survives the shared cache and the cancellations must equal a quiet, serial evaluation of the same
    // parameters, and a nil result must come from a cancelled token.
    @Test func rapidParameterChangesWithCancellationFromAnotherThread() {
        let expected = (0..<24).map { Evaluator.evaluate(Self.layer, Self.params($0))! }
        let workspace = EvaluationWorkspace(Self.layer)
        let completed = Atomic<Int>(0), cancelled = Atomic<Int>(0)
        let problems = Mutex<[String]>([])
        Self.concurrently(4) { worker in
            for round in 0..<6 {
                let i = worker * 6 + round
                let token = CancelToken()
                let p = Self.params(i)
                // Cancelled before the start (every fifth round), or by another thread after a varying delay:
                // before, during or after the work.
                if i % 5 == 0 { token.cancel() }
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
                    if !token.isCancelled { problems.withLock { $0.append("round \(i): nil without a cancel") } }
                    cancelled.add(1, ordering: .relaxed)
                    continue
                }
                completed.add(1, ordering: .relaxed)
                for m in Method.allCases {
                    let got = e.methods[m], want = expected[i].methods[m]
                    if got?.outputRelError != want?.outputRelError || got?.actMSE != want?.actMSE
                        || got?.actMaxAbs != want?.actMaxAbs || got?.keptSteps != want?.keptSteps {
                        problems.withLock { $0.append("round \(i): \(m) differs from the serial evaluation") }
                    }
                }
                for (m, r) in e.methods where !NumericAudit.overflowedMetrics(r).isEmpty {
                    problems.withLock { $0.append("round \(i): \(m) not finite") }
                }
                if lastProgress.withLock({ $0 }) > 1 { problems.withLock { $0.append("round \(i): progress > 1") } }
            }
        }
        #expect(problems.withLock { $0 } == [])
        // The delays span "before" to "long after": both outcomes must occur, or the test exercised one.
        #expect(completed.load(ordering: .relaxed) > 0)
        #expect(cancelled.load(ordering: .relaxed) > 0)
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

    /// Cancelling a long calibration from another thread stops it within a bound, on a layer where the
    /// search would otherwise run for minutes.
    // Regression (issue 9): this test passed when the result was nil OR took under 30 s, and a 7B-shaped
    // calibration ignored Ctrl-C for 200 s. The explorer's promise is 100 ms; the bound here is 0.5 s so that
    // a busy machine does not make it flaky. Under the thread sanitizer (every memory access ~20× slower, the
    // other suites sharing both cores) the regions between two checks, the screen's conversion to double
    // and one stage base, took ~130 ms each and one run in CI stopped after 512 ms: the bound there is 2 s,
    // still two orders of magnitude under the 200 s the regression ignored Ctrl-C for.
    @Test func cancellationStopsALongCalibration() throws {
        var p = QuantParams()
        p.block = 128
        p.steps = 100_000
        let big = LayerData(name: "big", input: TestData.activation(tokens: 2048, channels: 2048, outlierChannels: [9, 700]),
                            weight: nil)
        let token = CancelToken()
        let cancelledAt = Mutex<ContinuousClock.Instant?>(nil)
        Self.after(microseconds: 300_000) {
            cancelledAt.withLock { $0 = .now }
            token.cancel()
        }
        let result = DuQuant.calibrate(big, p, cancel: token)
        let returned = ContinuousClock.now
        #expect(result == nil, "the calibration finished before it was cancelled: make the layer larger")
        let at = try #require(cancelledAt.withLock { $0 })
        #expect(returned - at < Self.calibrationLatencyBound, "stopped \(returned - at) after the cancel")
    }

    // Regression (issue 9, item 4): a parameter change waited for the whole output product (185 GFLOP on a
    // 7B-shaped down_proj, seconds) before the new computation could start. The products (the reference
    // X Wᵀ and each method's Q(X̃) Q(W̃)ᵀ) now run in tiles with a cancel check between them.
    @Test func cancellationStopsTheOutputProducts() throws {
        // Values do not matter to the time of a product; constant matrices cost nothing to make.
        let a = Matrix(rows: 4096, cols: 4096, storage: [Float](repeating: 0.5, count: 4096 * 4096))
        let b = Matrix(rows: 4096, cols: 4096, storage: [Float](repeating: 0.25, count: 4096 * 4096))
        let reference = Matrix(rows: 4096, cols: 4096)
        for phase in ["reference", "method"] {
            let token = CancelToken()
            let cancelledAt = Mutex<ContinuousClock.Instant?>(nil)
            Self.after(microseconds: 150_000) {
                cancelledAt.withLock { $0 = .now }
                token.cancel()
            }
            let start = ContinuousClock.now
            if phase == "reference" {
                let stopped = Evaluator.productInRowTiles(a, b, cancel: token) == nil  // not inside #expect: 16M values
                #expect(stopped, "the product finished before the cancel: make it larger")
            } else {
                var out = [Float](repeating: -1, count: 4096)
                _ = Evaluator.rowTiledRelativeError(a, b, reference: reference, into: &out, cancel: token)
                // The last band of rows was never computed: it stopped between tiles, not at the end. (Bands
                // finish as their tiles do, so within the first 150 ms none may have finished yet.)
                #expect(out.last == 0, "no early stop")
            }
            let returned = ContinuousClock.now
            let at = try #require(cancelledAt.withLock { $0 })
            #expect(returned > at, "\(phase): finished before the cancel (\(returned - start)); make it larger")
            // One tile is ~100 ms on one core at full speed; the bound allows for the other tests sharing the cores (and
            // the BLAS gate) under `swift test --parallel`. The whole product takes seconds.
            #expect(returned - at < .seconds(2), "\(phase): stopped \(returned - at) after the cancel")
        }
    }

    /// Row tiles give the whole product's figures.
    @Test func rowTilesMatchTheWholeProduct() throws {
        let a = TestData.activation(tokens: 300, channels: 64, outlierChannels: [9], massive: (0, 3, 500))
        let b = TestData.weight(out: 48, in: 64)
        let whole = a.multipliedTransposed(by: b)
        let tiled = try #require(Evaluator.productInRowTiles(a, b, cancel: nil))
        #expect(TestData.relativeDifference(tiled, whole) < 1e-6)
        var e1 = [Float](repeating: 0, count: 300), e2 = e1
        let q = FakeQuantizer(bits: 4, clip: 0.9, symmetric: false).quantizeRows(a)
        let x = Evaluator.rowTiledRelativeError(q, b, reference: whole, into: &e1, cancel: nil)
        let y = Evaluator.perRowRelativeError(q.multipliedTransposed(by: b), whole, into: &e2)
        #expect(abs(x.0 - y.0) <= 1e-6 * y.0 && abs(x.1 - y.1) <= 1e-6 * y.1)
        for (u, v) in zip(e1, e2) { #expect(abs(u - v) <= 1e-5 * max(1, v)) }
    }
}
