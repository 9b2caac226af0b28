import DuQuantCore
import DuQuantIO
@testable import ExplorerCLI
import Foundation
import TestSupport
import Testing

/// One rule for every figure on every surface (list, report, render, the explorer): undefined is `—`, a
/// metric that overflowed `Float` is `overflow`, never a bare `inf` or `nan` (issue 23, item 5).
@Suite struct ShownFigureTests {
    /// A dump with an all-zero layer (its ratio of max to median is 0/0), a layer with one channel at 1e30
    /// (its squared errors overflow `Float`) and an ordinary layer.
    static let dump: String = {
        let path = NSTemporaryDirectory() + "shown-figures-\(getpid()).safetensors"
        let weight = TestData.weight(out: 4, in: 8)
        var big = TestData.activation(tokens: 16, channels: 8)
        for t in 0..<16 { big[t, 3] = 1e30 }
        var w = SafetensorsWriter()
        try! w.add("zero.input", Matrix(rows: 16, cols: 8))
        try! w.add("zero.weight", weight)
        try! w.add("big.input", big)
        try! w.add("big.weight", weight)
        try! w.add("ok.input", TestData.activation(tokens: 16, channels: 8))
        try! w.add("ok.weight", weight)
        try! w.write(to: path)
        return path
    }()

    /// The words a surface must never show for a figure.
    static func bareNonFinite(_ text: String) -> [String] {
        text.split(whereSeparator: { !$0.isLetter }).map(String.init).filter { ["inf", "nan", "NaN", "Inf", "infinity"].contains($0) }
    }

    @Test func theRule() {
        #expect(ShownFigure.metric(.infinity) == .overflow)
        #expect(ShownFigure.metric(.nan) == .overflow)
        #expect(ShownFigure.metric(nil) == .undefined)
        #expect(ShownFigure.metric(0.5) == .number(0.5))
        #expect(ShownFigure.statistic(.infinity) == .undefined)
        #expect(ShownFigure.statistic(.nan) == .undefined)
        #expect(ShownFigure.statistic(3) == .number(3))
        #expect(ReportFormatter.num(.infinity) == "overflow" && ReportFormatter.stat(.nan) == "—")
    }

    // Regression (issue 23, item 5): `list` printed the 1e30 layer's ratio as a 31-digit number, `report`'s
    // table printed `inf` and `NaN` beside its own overflow flag.
    @Test func listAndReportShowFlagsNotInfinities() throws {
        let list = try CLI.dispatch(["list", Self.dump])
        #expect(Self.bareNonFinite(list).isEmpty, "\(list)")
        let zero = try #require(list.split(separator: "\n").first { $0.hasPrefix("  zero ") })
        #expect(zero.contains(" — "), "an all-zero layer's ratio is undefined: \(zero)")
        let big = try #require(list.split(separator: "\n").first { $0.hasPrefix("  big ") })
        #expect(!big.contains(where: { $0 == "," }) && big.split(separator: " ").allSatisfy { $0.count < 16 }, "no 31-digit ratio: \(big)")
        #expect(big.contains("e+30×"), "four digits and an exponent: \(big)")

        let report = try CLI.dispatch(["report", Self.dump, "--block", "4", "--steps", "4"])
        #expect(Self.bareNonFinite(report).isEmpty, "\(report)")
        let rtn = try #require(report.split(separator: "\n").first { $0.hasPrefix("  RTN ") })
        #expect(rtn.contains("overflow"), "RTN's act MSE on the 1e30 layer overflows: \(rtn)")
    }

    // Regression (issue 23, item 5): the explorer showed ratio `inf` for an all-zero layer in its list and
    // `act MSE own inf … inf inf` for the 1e30 layer.
    @Test func theExplorerShowsFlagsNotInfinities() throws {
        for size in ["160x40", "80x24"] {
            let screen = try CLI.dispatch(["render", Self.dump, "--layer", "big", "--block", "4", "--steps", "4",
                                           "--size", size, "--color", "never"])
            #expect(Self.bareNonFinite(screen).isEmpty, "\(size):\n\(screen)")
            if size == "160x40" {
                let mse = try #require(screen.split(separator: "\n").first { $0.contains("act MSE own") })
                #expect(mse.contains("overflow"), "\(mse)")
                let zero = try #require(screen.split(separator: "\n").first { $0.hasPrefix(" zero ") })
                #expect(zero.contains("—"), "\(zero)")
            }
        }
    }
}
