import DuQuantCore
import DuQuantIO
import ExplorerModel
import ExplorerRuntime
import ExplorerView
import Foundation
import Testing
@testable import ExplorerCLI

/// Issue 25, "every figure and caption on screen is true": each caption with a number is checked against
/// the same number computed here from the stage matrices and traces the core returned (plain loops, not the
/// caption code), on the bundled samples.
@Suite(.serialized) struct ScreenTruthTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func path(_ name: String) -> String { root.appendingPathComponent(name).path }
    static let smollm = path("samples/smollm2-135m/activations.safetensors")
    static let layer11 = "model.layers.11.mlp.down_proj"
    static let outlierToy = path("samples/toy/outlier.safetensors")
    static let zigzagToy = path("samples/toy/zigzag.safetensors")
    static let tiny = path("tests/e2e/fixtures/tiny.safetensors")

    /// The explorer on `args` (as `render` takes them), driven inline by `keys`: its state and screen.
    static func run(_ args: [String], keys: String = "") throws -> (state: AppState, screen: String) {
        let options = try ExplorerOptions(args, command: "render")
        let source = try Commands.layerSource(options.files)
        let (themes, index) = try options.themes()
        var state = try options.initialState(source, themes: themes, themeIndex: index)
        state.display.size = options.size ?? Size(width: 160, height: 48)
        let grid = try RenderCommand.render(&state, source: source, themes: themes, colourMode: .mono,
                                            script: ScriptedBackend.keys(keys))
        return (state, RenderCommand.plain(grid))
    }

    /// The numbers in `text`, in order (`5.00`, `1.5e-05`, `-3`; `÷4.8` gives 4.8).
    static func numbers(_ text: some StringProtocol) -> [Float] {
        let pattern = try! NSRegularExpression(pattern: #"-?[0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?"#)
        let s = String(text)
        return pattern.matches(in: s, range: NSRange(s.startIndex..., in: s)).compactMap {
            Range($0.range, in: s).flatMap { Float(s[$0]) }
        }
    }

    /// `a` and `b` agree to the three or four significant digits a caption prints.
    static func close(_ a: Float, _ b: Float, _ tolerance: Float = 0.006) -> Bool {
        abs(a - b) <= tolerance * max(abs(a), abs(b)) + 1e-6
    }

    /// Max |x| over each run of `block` columns of `m`.
    static func blockPeaks(_ m: Matrix, block: Int) -> [Float] {
        stride(from: 0, to: m.cols, by: block).map { start in
            var peak: Float = 0
            for t in 0..<m.rows { for c in start..<min(m.cols, start + block) { peak = max(peak, abs(m[t, c])) } }
            return peak
        }
    }

    // Regression (issue 25): Rotation 1 on layer 11 read `block 9's peak 50.4 → 10.4 … (÷11.3)`, the √128 of an
    // even spread, while the peak fell ÷4.8.
    @Test func theRotationCaptionDividesTheShownPeaks() throws {
        let (state, _) = try Self.run([Self.smollm, "--layer", Self.layer11, "--stage", "rotation1", "--steps", "64"])
        let cal = try #require(state.calibration)
        let before = Self.blockPeaks(cal.matrix(.smoothed), block: 128), after = Self.blockPeaks(cal.matrix(.rotation1), block: 128)
        let k = before.indices.max { before[$0] - after[$0] < before[$1] - after[$1] }!
        let first = try #require(Caption.lines(state).first)
        #expect(first.hasPrefix("block \(k)'s peak "), "\(first)")
        let n = Self.numbers(first.dropFirst("block \(k)'s peak ".count))
        #expect(Self.close(n[0], before[k]) && Self.close(n[1], after[k]), "\(first): \(before[k]) → \(after[k])")
        let ratio = try #require(first.split(separator: "÷").last.flatMap { Self.numbers($0).first })
        #expect(Self.close(ratio, before[k] / after[k], 0.02), "\(first): the drop is ÷\(before[k] / after[k])")
    }

    /// The largest |error| of the Quantized error stage, where it sits, the value quantized there, the end
    /// of that token's clipped range on its side, and half of that token's quantization step.
    static func largestError(_ cal: DuQuantCalibration, _ p: QuantParams) -> (error: Float, x: Float, end: Float, half: Float) {
        let e = cal.matrix(.quantError), x = cal.matrix(.rotation2)
        var best: (Float, Int, Int) = (-1, 0, 0)
        for t in 0..<e.rows { for c in 0..<e.cols where abs(e[t, c]) > best.0 { best = (abs(e[t, c]), t, c) } }
        let t = best.1, v = x[t, best.2]
        var lo = Float.infinity, hi = -Float.infinity
        for c in 0..<x.cols { lo = min(lo, x[t, c]); hi = max(hi, x[t, c]) }
        let levels = Float((1 << p.abits) - 1)
        let step = (hi * p.lac - lo * p.lac) / levels
        return (best.0, v, v > 0 ? hi * p.lac : lo * p.lac, step / 2)
    }

    // Regression (issue 25): the toy's Quantized error said `error = |x − nearest level|, at most half a
    // level` beside `largest error 5.00`, which is 50 clipped to 45 (half a level is 1.5).
    @Test func theQuantizedErrorCaptionSaysWhenTheErrorIsClipping() throws {
        let (state, _) = try Self.run([Self.outlierToy, "--stage", "error"])
        let cal = try #require(state.calibration)
        let f = Self.largestError(cal, state.shared.params)
        #expect(f.error > f.half, "the toy's largest error is clipping: \(f)")
        let lines = Caption.lines(state)
        #expect(lines[0].contains("clipped"), "\(lines)")
        let n = Self.numbers(lines[0].split(separator: ":").last ?? "")
        #expect(n.contains { Self.close($0, f.x) } && n.contains { Self.close($0, f.end) } && n.contains { Self.close($0, f.half) },
                "\(lines[0]): \(f)")
        #expect(!lines.joined().contains("at most half a level"), "\(lines)")

        // Unclipped (--lac 1): the largest error is rounding, within half a level, and said so.
        let (open, _) = try Self.run([Self.outlierToy, "--stage", "error", "--lac", "1"])
        let g = Self.largestError(try #require(open.calibration), open.shared.params)
        #expect(g.error <= g.half * 1.0001)
        let said = Caption.lines(open)
        #expect(said[0].contains("rounding") && !said[0].contains("clipped"), "\(said)")
        #expect(Self.numbers(said[0].split(separator: ":").last ?? "").contains { Self.close($0, g.half) }, "\(said[0]): \(g)")
    }

    // Regression (issue 25): "peak" was max|x| in the teaching caption and max − min in step-through. Now
    // step-through says `range (max − min)`, with the range of the block computed here.
    @Test func stepThroughNamesTheRangeNotAPeak() throws {
        let (state, screen) = try Self.run([Self.outlierToy, "--stage", "rotation1"], keys: "s")
        let cal = try #require(state.calibration)
        let step = try #require(state.heatmap.step)
        let trace = cal.traces[0][step.traceIndex]
        let x = cal.rotationInputs[0], b = state.shared.params.block
        var lo = Float.infinity, hi = -Float.infinity
        for t in 0..<x.rows { for c in (trace.block * b)..<(trace.block * b + b) { lo = min(lo, x[t, c]); hi = max(hi, x[t, c]) } }
        let second = Caption.lines(state)[1]
        #expect(second.contains("range (max − min)"), "\(second)")
        #expect(Self.numbers(second.split(separator: ")").dropFirst().joined()).first.map { Self.close($0, hi - lo) } == true,
                "\(second): max − min is \(hi - lo)")
        // (The sample's own explanation, printed under the values, may say "peak" in its own words.)
        let explanation = state.shared.explanations.values.joined(separator: " ")
        let peaks = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.contains("peak") && !explanation.contains($0) }
        #expect(peaks.isEmpty, "step-through's figures are ranges: \(peaks)")
    }

    // Regression (issue 25): the permutation caption ranked tied channels (4 and 7 at 0.96 on the outlier toy)
    // by their new position, not in the order the zigzag deals them (ties keep channel order).
    @Test(arguments: [outlierToy, zigzagToy])
    func thePermutationCaptionDealsInTheZigzagsOrder(_ toy: String) throws {
        let (state, _) = try Self.run([toy, "--stage", "permutation"])
        let cal = try #require(state.calibration)
        let x = cal.matrix(.rotation1)
        var maxima = [Float](repeating: 0, count: x.cols)
        for t in 0..<x.rows { for c in 0..<x.cols { maxima[c] = max(maxima[c], abs(x[t, c])) } }
        let ranked = maxima.indices.sorted { maxima[$0] != maxima[$1] ? maxima[$0] > maxima[$1] : $0 < $1 }
        let perm = try #require(cal.transform.permutations.last)
        let first = try #require(Caption.lines(state).first)
        let moves = first.dropFirst("largest first: ".count).split(separator: "·")
        #expect(moves.count == min(8, ranked.count))
        for (move, channel) in zip(moves, ranked) {
            let n = Self.numbers(move)
            #expect(Int(n[0]) == channel && perm[Int(n[1])] == channel, "\(move): the zigzag deals ch \(channel) here")
        }
    }

    // Regression (issue 25): step-through on the toy showed blocks rotated whose search kept no step, and a
    // `-0` cell. A block shows only the steps its search kept.
    @Test func stepThroughRotatesOnlyWhatTheSearchKept() throws {
        let (state, screen) = try Self.run([Self.outlierToy, "--stage", "rotation1"], keys: "s.")
        let cal = try #require(state.calibration)
        let shown = try #require(state.heatmap.step?.matrix)
        let input = cal.rotationInputs[0], b = state.shared.params.block
        for trace in cal.traces[0] where trace.kept == 0 {
            for t in 0..<input.rows {
                for c in (trace.block * b)..<(trace.block * b + b) {
                    #expect(shown[t, c] == input[t, c], "block \(trace.block) kept no step: tok \(t) ch \(c)")
                }
            }
        }
        #expect(Self.negativeZero(screen).isEmpty, "\(screen)")
    }

    /// Cells that read `-0` (a sign with nothing after it).
    static func negativeZero(_ screen: String) -> [String] {
        screen.split(whereSeparator: { $0 == " " || $0 == "│" || $0 == "\n" }).map(String.init).filter { $0 == "-0" || $0 == "-0." }
    }

    // Regression (issue 25): with `--calib-tokens` the main `out rel err` row was the all-token fit and the
    // `held out` row had no ★. Now the main row is the fit on the fit tokens, labelled `fit`, and both rows
    // mark their best; the figures are computed here by the core.
    @Test func heldOutFiguresShareOneFraming() throws {
        let split = "0:20"
        let (state, screen) = try Self.run([Self.tiny, "--layer", "down_proj", "--calib-tokens", split, "--block", "32",
                                            "--steps", "8"])
        let open = try #require(state.shared.open)
        let layer = open.data
        let parts = try TokenSplit(split, tokens: layer.tokens)
        let fitLayer = LayerData(name: layer.name, input: layer.input.gatheringRows(parts.fit), weight: layer.weight)
        let fit = try #require(Evaluator.evaluate(fitLayer, state.shared.params))
        let held = try #require(Evaluator.evaluateHeldOut(layer, state.shared.params, split: parts))
        let lines = screen.split(separator: "\n")
        for (label, figures) in [("out err fit", fit.methods), ("held out", held.methods)] {
            let row = try #require(lines.first { $0.contains(" \(label) ") && !$0.contains("─") }, "no '\(label)' row:\n\(screen)")
            let tail = row.components(separatedBy: " \(label) ").last!
            let shown = Self.numbers(tail)
            let want = Method.allCases.map { figures[$0]!.outputRelError! }
            #expect(shown.count == want.count, "\(row)")
            for (a, b) in zip(shown, want) { #expect(Self.close(a, b, 0.01), "\(row): \(want)") }
            // ★ after the best figure of the row, and nowhere else.
            var figures = 0
            var starred: [Int] = []
            for token in tail.replacingOccurrences(of: "★", with: " ★ ").split(separator: " ") {
                if token == "★" { starred.append(figures - 1) } else if Float(token) != nil { figures += 1 }
            }
            #expect(starred == [want.indices.min { want[$0] < want[$1] }!], "\(row): \(want)")
        }
        #expect(!lines.contains { $0.contains(" out rel err ") }, "the all-token figure is not the main row under a split")

        // The report says the same: its table is the fit, labelled so, and the held-out best is marked.
        let report = try CLI.dispatch(["report", Self.tiny, "--layer", "down_proj", "--calib-tokens", split, "--block", "32",
                                       "--steps", "8"])
        #expect(report.contains("out rel err (fit)"), "\(report)")
        let bestHeld = Method.allCases.min { held.methods[$0]!.outputRelError! < held.methods[$1]!.outputRelError! }!
        let heldLines = report.split(separator: "\n").filter { $0.contains(" held out: ") }
        #expect(heldLines.count == Method.allCases.count, "\(report)")
        let marked = heldLines.filter { $0.contains(" * ") || $0.hasSuffix(" *") }
        #expect(marked.count == 1 && marked.first?.hasPrefix("  \(bestHeld.title) held out") == true, "\(report)")
    }

    // Regression (issue 25): layer 11's log scale floored at max/10⁴ = 0.306, above the median |x| of 0.066, so
    // most cells were near-black. The floor now comes from a low percentile and the legend says so.
    @Test func theLogScaleFloorShowsTheBulk() throws {
        let (state, screen) = try Self.run([Self.smollm, "--layer", Self.layer11, "--steps", "0"])
        #expect(state.scale == .log)
        let legend = try #require(screen.split(separator: "\n").first { $0.contains("|x| log") }, "\(screen)")
        let floor = try #require(Self.numbers(legend.components(separatedBy: "≤").last ?? "").first)
        let x = try #require(state.shared.open).data.input
        let below = x.storage.filter { abs($0) <= floor }.count
        #expect(Float(below) / Float(x.storage.count) <= 0.15, "\(legend): \(below) of \(x.storage.count) values at the floor")
        #expect(legend.contains("p10"), "the legend says where the floor comes from: \(legend)")
    }

    // Regression (issue 25): at 64× the zoomed value view cut channel numbers (`12…`) and printed `3e3` and
    // `-0`. Every value and header it prints reads back as the matrix's value.
    @Test(arguments: [6, 7])
    func zoomedValuesAreReadable(_ zooms: Int) throws {
        let (state, screen) = try Self.run([Self.smollm, "--layer", Self.layer11, "--steps", "0"],
                                           keys: "x" + String(repeating: "+", count: zooms))
        #expect(!screen.contains("e3") && Self.negativeZero(screen).isEmpty, "\(screen)")
        // At 64× the values would not fit whole (the pooled heatmap shows); at 128× they do.
        if zooms == 7 { #expect(state.teachingGrid != nil, "\(screen)") }
        if let grid = state.teachingGrid {
            let header = try #require(screen.split(separator: "\n").first { $0.contains(" \(grid.channels.lowerBound) ") },
                                      "\(screen)")
            for c in grid.channels { #expect(header.contains(String(c)), "ch \(c) in \(header)") }
        }
    }

    // Regression (issue 25): at 80×24 the zigzag toy fell back to a pooled heatmap without values or captions.
    @Test func theZigzagToyFitsEightyByTwentyFour() throws {
        let (state, screen) = try Self.run([Self.zigzagToy, "--stage", "permutation", "--size", "80x24"])
        let grid = try #require(state.teachingGrid, "\(screen)")
        #expect(grid.channels == 0..<16 && grid.tokens == 0..<8)
        #expect(screen.contains("largest first:"), "\(screen)")
    }

    // Regression (issue 25): the explorer said `(see: duquant-explorer list FILE)` with a literal FILE, and
    // `matches 4 layers` without naming them as `report` does.
    @Test func layerMessagesNameTheFileAndTheMatches() {
        func message(_ layer: String) -> String {
            do {
                _ = try Self.run([Self.smollm, "--layer", layer])
                return ""
            } catch {
                return (error as? CLIError)?.message ?? "\(error)"
            }
        }
        let none = message("nothing.like.this")
        #expect(none.contains("duquant-explorer list \(Self.smollm)") && !none.contains("FILE"), "\(none)")
        let many = message("11.self_attn")
        #expect(many.contains("matches 4 layers"), "\(many)")
        for name in ["q_proj", "k_proj", "v_proj", "o_proj"] { #expect(many.contains("model.layers.11.self_attn.\(name)"), "\(many)") }
    }
}
