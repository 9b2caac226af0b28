import ExplorerModel
import Foundation

/// Posts progress for a job, but only once it has run ~100 ms; then as it advances (at most every 50 ms)
/// and every half second regardless, so a long step still shows the clock moving.
final class ProgressReporter: @unchecked Sendable {
    private let kind: EffectKind
    private let generation: Int
    private let post: @Sendable (Msg) -> Void
    private let start = DispatchTime.now()
    private let lock = NSLock()
    private var fraction = 0.0
    private var lastPost: UInt64 = 0
    private var done = false
    private let synchronous: Bool

    init(kind: EffectKind, generation: Int, post: @escaping @Sendable (Msg) -> Void, synchronous: Bool) {
        self.kind = kind
        self.generation = generation
        self.post = post
        self.synchronous = synchronous
        if !synchronous { heartbeat(after: 110) }
    }

    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

    private func heartbeat(after milliseconds: Int) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
            let f: Double? = lock.withLock { done ? nil : fraction }
            guard let f else { return }
            post(.progress(kind: kind, generation: generation, fraction: f, elapsed: elapsed))
            heartbeat(after: 500)
        }
    }

    func report(_ f: Double) {
        guard !synchronous else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let shouldPost: Bool = lock.withLock {
            fraction = f
            // Reports come from several worker threads: `now` may be older than the `lastPost` another thread
            // just set, so compare by adding (a UInt64 subtraction trapped here and crashed the explorer).
            guard !done, now > start.uptimeNanoseconds + 100_000_000, now > lastPost + 50_000_000 else { return false }
            lastPost = now
            return true
        }
        if shouldPost { post(.progress(kind: kind, generation: generation, fraction: f, elapsed: elapsed)) }
    }

    func finish() { lock.withLock { done = true } }
}
