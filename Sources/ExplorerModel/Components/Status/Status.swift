/// The status bar's own state: the problem shown, every problem of the session and the notice.
package struct StatusState: Sendable {
    /// The problem shown in the status bar until dismissed (Esc); the newest of ``problems`` (or a search
    /// that found nothing).
    package var lastError: String?
    /// Every problem of this session, oldest first (files that failed to open, layers skipped, failed
    /// work): the `!` overlay lists them in full.
    package var problems: [String] = []
    /// A line for the user until the next key.
    package var notice: String?

    package init() {}
}

/// The status bar: notices, problems, and Esc's first two meanings (dismiss the problem shown, else stop the
/// computation in progress).
package enum Status {
    package enum Msg: Sendable, Equatable {
        /// A notice until the next key (nil clears it).
        case notice(String?)
        /// A problem: shown until dismissed and added to the session's list.
        case report(String)
        /// A problem shown until dismissed, not added to the list (a search without match).
        case error(String)
        /// Esc on a problem shown.
        case dismissProblem
        /// Esc during a computation: stop it, and the background scan with it.
        case stopComputation
        /// Parameters were accepted: a problem about them no longer applies.
        case clearError
    }

    package static func update(_ s: inout StatusState, _ msg: Msg) -> [Request] {
        switch msg {
        case .notice(let text): s.notice = text
        case .report(let problem):
            s.lastError = problem
            if s.problems.last != problem { s.problems.append(problem) }
        case .error(let text): s.lastError = text
        case .dismissProblem, .clearError: s.lastError = nil
        case .stopComputation:
            // The scan of the other layers stops too (it would otherwise take the cores for the same kind of
            // work); the figures already shown stay.
            s.notice = "computation stopped — change a parameter or press Enter on a layer to compute again"
            return [.stopComputation]
        }
        return []
    }
}
