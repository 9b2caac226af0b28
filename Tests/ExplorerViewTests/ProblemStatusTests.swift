import ExplorerModel
import Testing
import TestSupport
@testable import ExplorerView

/// Problems in the status bar: they stay until dismissed, and `!` lists them all.
@Suite struct ProblemStatusTests {
    static func statusLine(_ f: ScreenFixture) -> String {
        let grid = f.render()
        return grid.line(grid.height - 1)
    }

    // Regression (issue 9, item 6): with a missing second file, "… nofile.npz" showed for under 0.4 s and
    // was then overwritten by "computing" — the progress display came before the problem.
    @Test func aProblemOutlivesProgressAndIsDismissedByEsc() {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        App.report(&f.state, "nofile.npz: no such file")
        f.state.jobs.busy[.evaluate] = Busy(what: "computing")
        let g = f.state.jobs.generation(.evaluate)
        for fraction in [0.1, 0.5, 0.9] {
            f.send(.progress(kind: .evaluate, generation: g, fraction: fraction, elapsed: fraction))
            #expect(Self.statusLine(f).contains("nofile.npz: no such file"))
            #expect(!Self.statusLine(f).contains("computing"))
        }
        f.press("2")  // other keys leave it
        #expect(Self.statusLine(f).contains("nofile.npz"))
        f.press(.escape)
        #expect(!Self.statusLine(f).contains("nofile.npz"))
        #expect(Self.statusLine(f).contains("computing"))
    }

    @Test func bangListsEveryProblemInFull() {
        var f = ScreenFixture(size: Size(width: 80, height: 24))
        let long = "a.safetensors: layer model.layers.7.mlp.down_proj skipped: input shape [3] is not 2-D, and "
            + "its weight is missing as well, so nothing can be computed for it"
        f.state.status.problems = ["nofile.npz: no such file", long]
        f.press("!")
        let text = (0..<24).map { f.render().line($0) }.joined(separator: "\n")
        #expect(text.contains("2 problems this session"))
        #expect(text.contains("nofile.npz: no such file"))
        #expect(text.contains("computed for it"))  // wrapped onto further lines, not cut
        f.press(.escape)
        #expect(!f.state.overlays.showProblems)
    }
}

/// A partial answer: the methods still coming show "…", and nothing is marked best yet.
@Suite struct PartialFiguresTests {
    @Test func pendingMethodsShowAnEllipsisAndNoBestMark() throws {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        var e = try #require(f.state.shared.evaluation)
        e.methods[.duquant] = nil
        e.calibration = nil
        e.pending = [.duquant]
        f.state.shared.evaluation = e
        let grid = f.render()
        let row = try #require((0..<grid.height).map { grid.line($0) }.first { $0.contains("out rel err") })
        #expect(row.hasSuffix("…") || row.trimmingCharacters(in: .whitespaces).hasSuffix("…"), "\(row)")
        #expect(!row.contains("★"))
    }
}
