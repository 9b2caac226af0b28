/// A debug hook on the road a message travels: each hop (a backend reading input, the run loop, `update`,
/// a component, the executor, a panel's drawing) calls `Hop.here()`, which does nothing unless a test is
/// tracing. `Hop.trace` then records the `#fileID` of every hop, in order.
///
/// ```swift
/// let hops = Hop.trace { session.run() }     // ["ExplorerRuntime/ScriptedBackend.swift", …]
/// ```
///
/// The recorder is a task-local value: it is seen only by code running synchronously inside `trace` (a
/// session with an inline executor), costs one task-local read per hop otherwise, and needs no lock.
package enum Hop {
    /// The recorder of the trace in progress, if any.
    @TaskLocal package static var recorder: HopRecorder?

    /// Records this hop (`file`, and what arrived, when it says) when a trace is running.
    @inline(__always)
    package static func here(_ note: @autoclosure () -> String = "", file: String = #fileID) {
        guard let recorder else { return }
        recorder.record(Hop.Step(file: file, note: note()))
    }

    /// Runs `body` and returns every hop it made.
    package static func trace(_ body: () throws -> Void) rethrows -> [Step] {
        let r = HopRecorder()
        try $recorder.withValue(r) { try body() }
        return r.steps
    }

    /// One hop: the file it happened in and, for input, what arrived.
    package struct Step: Sendable, Equatable {
        package var file: String
        package var note: String
    }
}

/// Collects the hops of one trace. Used from one thread (the trace runs synchronously), hence unchecked.
package final class HopRecorder: @unchecked Sendable {
    package private(set) var steps: [Hop.Step] = []

    func record(_ step: Hop.Step) { steps.append(step) }
}
