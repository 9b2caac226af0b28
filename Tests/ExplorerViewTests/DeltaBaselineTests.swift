import DuQuantCore
import ExplorerModel
import Testing
import TestSupport
@testable import ExplorerView

/// "What did my change do?": the Δ row against the previous setting, and ratios to a pinned baseline.
@Suite struct DeltaBaselineTests {
    static func lines(_ f: some ScreenDriver) -> [String] {
        let g = f.render()
        return (0..<g.height).map { g.line($0) }
    }

    static func row(_ f: some ScreenDriver, _ label: String) -> String? { lines(f).first { $0.contains(label) } }

    // Issue 13, item 1: the old figure was gone the moment the new one landed.
    @Test func aParameterChangeShowsTheChangeOfEachMethodsError() throws {
        var f = PipelineScreen(size: Size(width: 120, height: 40))
        #expect(Self.row(f, "Δ since last") == nil)  // nothing to compare with yet
        let before = try #require(f.state.shared.evaluation)
        f.press("]")  // act bits 4 → 5: errors fall
        let after = try #require(f.state.shared.evaluation)
        #expect(after.params.abits == 5)
        let row = try #require(Self.row(f, "Δ since last"))
        for m in Method.allCases {
            let a = try #require(before.methods[m]?.outputRelError), b = try #require(after.methods[m]?.outputRelError)
            let pct = Int((abs(Double(b) / Double(a) - 1) * 100).rounded())
            let expected = abs(Double(b) / Double(a) - 1) < 0.005 ? "=" : (b < a ? "▼" : "▲") + "\(pct)%"
            #expect(row.contains(expected), "\(m): \(expected) not in \(row)")
        }
    }

    @Test func aPinnedBaselineGivesRatiosAndMarksTheChangedParameters() throws {
        var f = PipelineScreen(size: Size(width: 120, height: 40))
        let base = try #require(f.state.shared.evaluation?.methods[.duquant]?.outputRelError)
        f.press("B")
        #expect(f.state.methods.baseline?.params == f.state.shared.params)
        #expect(Self.row(f, "vs baseline")?.contains("×1.00") == true)
        f.press("]")  // act bits 4 → 5
        let now = try #require(f.state.shared.evaluation?.methods[.duquant]?.outputRelError)
        let row = try #require(Self.row(f, "vs baseline"))
        #expect(row.contains("×" + Format.num(Float(Double(now) / Double(base)))), "\(row)")
        // The act bits row is marked as different from the baseline; weight bits is not.
        let lines = Self.lines(f)
        #expect(lines.contains { $0.hasPrefix("•act bits") })
        #expect(lines.contains { $0.hasPrefix(" weight bits") })
        f.press("[")  // back to the baseline's setting
        f.press("B")  // pressing B on the baseline's own figures unpins
        #expect(f.state.methods.baseline == nil)
    }

    @Test func anotherLayerClearsTheComparison() throws {
        var f = PipelineScreen(size: Size(width: 120, height: 40))
        f.press("B")
        f.press("]")
        f.press(.escape)  // focus the list
        f.press("j")
        f.press(.enter)
        #expect(f.state.shared.open?.index == 1)
        #expect(f.state.methods.baseline == nil && f.state.methods.previousFigures == nil)
        #expect(Self.row(f, "vs baseline") == nil && Self.row(f, "Δ since last") == nil)
    }
}

/// `A`: the lower panel shows where each method's error comes from, computed on demand.
@Suite struct AnatomyPanelTests {
    @Test func aAsksForTheAnatomyAndShowsIt() throws {
        var f = PipelineScreen(size: Size(width: 120, height: 40))
        #expect(f.state.shared.evaluation?.methods[.duquant]?.anatomy == nil)  // not computed unless asked
        f.press("A")
        #expect(f.effects.last.map { if case .evaluate(_, _, _, true) = $0 { true } else { false } } == true)
        let a = try #require(f.state.shared.evaluation?.methods[.duquant]?.anatomy)
        let lines = DeltaBaselineTests.lines(f)
        #expect(lines.contains { $0.contains("Error anatomy (A closes)") })
        let row = try #require(lines.first { $0.contains("X only") })
        #expect(row.contains(Format.num(a.activationsOnly)))
        f.press("A")
        #expect(!DeltaBaselineTests.lines(f).contains { $0.contains("Error anatomy") })
    }
}

/// `N`: the seed spread in the Methods title, and a DuQuant change within it marked as noise.
@Suite struct SeedSpreadPanelTests {
    @Test func nMeasuresTheSpreadAndMarksAChangeWithinIt() throws {
        var f = PipelineScreen(size: Size(width: 120, height: 40))
        f.press("N")
        let sp = try #require(f.state.currentSeedSpread?.outputRelError)
        #expect(f.state.currentSeedSpread?.seeds == 4)
        let title = try #require(DeltaBaselineTests.lines(f).first { $0.contains("DuQuant over seeds 0–3:") })
        #expect(title.contains(Format.num(Float(sp.min))) && title.contains(Format.num(Float(sp.max))))
        // The seed is part of the spread: changing it keeps the spread shown, and DuQuant's Δ is within it.
        f.press("p")
        for _ in 0..<ParamField.named("seed")!.rawValue { f.press("j") }  // the seed row
        #expect(f.state.parameters.row == ParamField.named("seed")!.rawValue)
        f.press("l")
        #expect(f.state.shared.params.seed == 1)
        #expect(f.state.currentSeedSpread != nil)
        let row = try #require(DeltaBaselineTests.lines(f).first { $0.contains("Δ since last") })
        #expect(row.contains("≈"), "\(row)")
        // Another parameter: the spread no longer applies.
        f.press("k")
        f.press("l")
        #expect(f.state.currentSeedSpread == nil)
    }
}

/// `V` (or `--calib-tokens`): every method fitted on some tokens and scored on the others, beside the fit.
@Suite struct HeldOutPanelTests {
    /// The Methods table's row labelled `label` (not the title or the status bar, which may name it too).
    static func row(_ f: some ScreenDriver, _ label: String) -> String? {
        DeltaBaselineTests.lines(f).first { $0.contains(" " + label + " ") && !$0.contains("Methods") && !$0.contains("tokens held out") }
    }

    // Issue 13, item 4: the explorer shows both "fit" and "held-out" figures when a split is active, and the
    // held-out ones are the core's (nothing refitted on the scored tokens).
    @Test func vHoldsTokensOutAndShowsFitAndHeldOutRows() throws {
        var f = PipelineScreen(size: Size(width: 120, height: 40))
        #expect(Self.row(f, "held out") == nil)
        f.press("V")
        #expect(f.state.methods.heldOutMode == .even)
        let h = try #require(f.state.currentHeldOut)
        let layer = try #require(f.state.shared.open?.data)
        let split = try TokenSplit("even", tokens: layer.tokens)
        let direct = try #require(Evaluator.evaluateHeldOut(layer, f.state.shared.params, split: split))
        let fitDirect = try #require(Evaluator.evaluate(LayerData(name: layer.name, input: layer.input.gatheringRows(split.fit),
                                                                  weight: layer.weight), f.state.shared.params))
        let heldRow = try #require(Self.row(f, "held out"))
        // Issue 25: under a split the main row is the fit on the fit tokens, labelled so (no "fit even" row beside it).
        let fitRow = try #require(Self.row(f, "out err fit"))
        for m in Method.allCases {
            let held = try #require(direct.methods[m]?.outputRelError), fit = try #require(fitDirect.methods[m]?.outputRelError)
            #expect(h.heldOut.methods[m]?.outputRelError == held, "\(m)")
            #expect(h.fit[m]?.outputRelError == fit, "\(m)")
            #expect(heldRow.contains(Format.num(held)), "\(m): \(heldRow)")
            #expect(fitRow.contains(Format.num(fit)), "\(m): \(fitRow)")
        }
        #expect(DeltaBaselineTests.lines(f).contains { $0.contains("fit on 16, held out 16 (even)") })
        // A new setting measures the split again.
        f.press("]")
        #expect(f.state.currentHeldOut?.params == f.state.shared.params)
        // First half, then off.
        f.press("V")
        #expect(f.state.methods.heldOutMode == .range(0, 16))
        #expect(Self.row(f, "out err fit") != nil && DeltaBaselineTests.lines(f).contains { $0.contains("(0:16)") })
        f.press("V")
        #expect(f.state.methods.heldOutMode == nil)
        #expect(Self.row(f, "held out") == nil)
    }
}
