import DuQuantCore

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

extension App {
    /// The title at the left of the top bar.
    package static let topBarTitle = " DuQuant Explorer "
    /// The hint at the right of the top bar; it stays at every size the screen supports.
    package static let topBarHint = " ?:help q:quit "

    /// The title for a screen `width`: shortened where the full one would crowd out the hint (80 columns).
    package static func topBarTitle(width: Int) -> String {
        let short = Stage.allCases.reduce(0) { $0 + " \($1.rawValue + 1) \($1.shortTitle) ".count }
        return topBarTitle.count + short + topBarHint.count <= width ? topBarTitle : " DuQuant "
    }

    /// The stage tabs of the top bar and their column ranges for a screen `width`.
    package static func stageTabs(width: Int) -> [(stage: Stage, label: String, columns: Range<Int>)] {
        let long = Stage.allCases.map { " \($0.rawValue + 1) \($0.title) " }
        let short = Stage.allCases.map { " \($0.rawValue + 1) \($0.shortTitle) " }
        let title = topBarTitle(width: width).count
        let labels = title + long.reduce(0) { $0 + $1.count } + topBarHint.count <= width ? long : short
        var x = title
        var out: [(Stage, String, Range<Int>)] = []
        for (stage, label) in zip(Stage.allCases, labels) {
            out.append((stage, label, x..<(x + label.count)))
            x += label.count
        }
        return out
    }

    static func stageTab(at p: Point, width: Int) -> Stage? {
        guard p.y == 0 else { return nil }
        return stageTabs(width: width).first { $0.columns.contains(p.x) }?.stage
    }
}
