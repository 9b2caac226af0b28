import DuQuantCore
import ExplorerModel

extension Stage {
    /// A short name for the tab row on narrow screens.
    package var shortTitle: String {
        switch self {
        case .original: "Orig"
        case .smoothed: "Smooth"
        case .rotation1: "Rot1"
        case .permutation: "Perm"
        case .rotation2: "Rot2"
        case .quantError: "QErr"
        }
    }
}

/// The top bar's words and where they sit: the title, the stage tabs, the hint.
///
/// The text is the view's; a click on a tab reaches the heatmap as its message through
/// ``message(for:in:)``, which the run loop applies before ``App/update(_:_:)`` (the model does not know
/// where the view wrote the tabs).
package enum TopBar {
    /// The title at the left of the top bar.
    package static let fullTitle = " DuQuant Explorer "
    /// The hint at the right of the top bar; it stays at every size the screen supports.
    package static let hint = " ?:help q:quit "

    /// The title for a screen `width`: shortened where the full one would crowd out the hint (80 columns).
    package static func title(width: Int) -> String {
        let short = Stage.allCases.reduce(0) { $0 + " \($1.rawValue + 1) \($1.shortTitle) ".count }
        return fullTitle.count + short + hint.count <= width ? fullTitle : " DuQuant "
    }

    /// The stage tabs of the top bar and their column ranges for a screen `width`.
    package static func tabs(width: Int) -> [(stage: Stage, label: String, columns: Range<Int>)] {
        let long = Stage.allCases.map { " \($0.rawValue + 1) \($0.title) " }
        let short = Stage.allCases.map { " \($0.rawValue + 1) \($0.shortTitle) " }
        let left = title(width: width).count
        let labels = left + long.reduce(0) { $0 + $1.count } + hint.count <= width ? long : short
        var x = left
        var out: [(Stage, String, Range<Int>)] = []
        for (stage, label) in zip(Stage.allCases, labels) {
            out.append((stage, label, x..<(x + label.count)))
            x += label.count
        }
        return out
    }

    /// The stage whose tab covers `p` on a screen `width` wide, if any.
    package static func stage(at p: Point, width: Int) -> Stage? {
        guard p.y == 0 else { return nil }
        return tabs(width: width).first { $0.columns.contains(p.x) }?.stage
    }

    /// `msg`, or for a click on a stage tab (no overlay or search open) the heatmap's message to show that stage.
    package static func message(for msg: Msg, in state: AppState) -> Msg {
        guard case .mouse(let event) = msg, event.kind == .press, !state.overlays.showHelp, state.list.search == nil else { return msg }
        let layout = ScreenLayout(size: state.display.size, compare: state.heatmap.compare)
        guard !layout.tooSmall, layout.topBar.contains(event.at),
              let stage = stage(at: event.at, width: state.display.size.width) else { return msg }
        return .heatmap(.setStage(stage))
    }
}
