import Foundation

/// One self-overwriting progress line on stderr for `report` work that takes more than a moment.
///
/// A layer of 1 token × 1M channels calibrates for minutes (8192 blocks, each composing its rotation
/// step by step); without a word the command looked hung. The line shows the layer and the share of
/// DuQuant's greedy steps done, at most every `interval` seconds, and is erased when the layer is done.
/// Ctrl-C ends the command as usual. Only written when stderr is a terminal.
final class ReportProgress: @unchecked Sendable {
    private let label: String
    private let write: (String) -> Void
    private let interval: Double
    private let lock = NSLock()
    private var last = Date.distantPast
    private var shown = false

    init(layer: String, interval: Double = 0.5, write: @escaping (String) -> Void) {
        self.label = layer
        self.interval = interval
        self.write = write
    }

    /// Reports `fraction` (0…1) of the calibration done.
    func update(_ fraction: Double) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(last) >= interval else { return }
        last = now
        shown = true
        write("\rreport: \(label): DuQuant \(Int((fraction * 100).rounded(.down)))%  (Ctrl-C stops)\u{1b}[K")
    }

    /// Erases the line if one was written.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { write("\r\u{1b}[K") }
    }
}
