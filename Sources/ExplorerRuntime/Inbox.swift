import ExplorerModel
import Foundation

/// Messages posted by background work, drained by the run loop after a wake-up.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Msg] = []
    private let wake: @Sendable () -> Void

    init(wake: @escaping @Sendable () -> Void) { self.wake = wake }

    func post(_ msg: Msg) {
        Hop.here()
        lock.withLock { pending.append(msg) }
        wake()
    }

    func drain() -> [Msg] {
        lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
    }
}
