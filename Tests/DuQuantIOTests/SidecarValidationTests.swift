import DuQuantCore
import Foundation
import Testing
@testable import DuQuantIO

/// Every number a sidecar gives is checked where the sidecar is read (issue 23, item 3): an entry that
/// fails is ignored, named once in a warning with the reason, and the rest of the sidecar is kept.
@Suite struct SidecarValidationTests {
    static func open(_ json: String) throws -> DumpFile { try SidecarModelEvaluationTests.open(sidecar: json) }

    /// The warnings that name `entry`.
    static func warnings(_ dump: DumpFile, naming entry: String) -> [String] {
        dump.warnings.map(\.description).filter { $0.contains("\"\(entry)\"") }
    }

    /// Regression (issue 23, item 3): a perplexity of 1e308 is finite as a Double and was kept, then shown
    /// as `inf` (it is not a Float); zero, negative and below-1 perplexities were kept and the lowest got
    /// the ★. Each is now ignored with its reason, once; the good figures stay.
    @Test func issue23_perplexitiesOutsideTheirRangeAreIgnored() throws {
        let dump = try Self.open(#"""
            {"tokens": ["a", "b"], "model_eval": {"fp": 17.5, "methods": {
              "rtn": {"W4A4": 1e308, "W8A8": 18}, "smoothquant": {"W4A4": 0}, "hadamard": {"W4A4": -4.5},
              "quarot": {"W4A4": 0.5}, "duquant": {"W4A4": 21.25, "W8A8": "low"}, "future": {"W4A4": -1}}}}
            """#)
        let e = try #require(dump.sidecar?.modelEvaluation)
        #expect(e.figures == ["W4A4": [.duquant: 21.25], "W8A8": [.rtn: 18]])
        #expect(dump.sidecar?.tokens == ["a", "b"])
        for (entry, value) in [("model_eval.methods.rtn.W4A4", "1e308"), ("model_eval.methods.smoothquant.W4A4", "0"),
                               ("model_eval.methods.hadamard.W4A4", "-4.5"), ("model_eval.methods.quarot.W4A4", "0.5"),
                               ("model_eval.methods.duquant.W8A8", "not a number")] {
            let lines = Self.warnings(dump, naming: entry)
            #expect(lines.count == 1, "\(entry): \(dump.warnings)")
            #expect(lines.first?.contains(value) == true && lines.first?.contains(" ignored: ") == true, "\(lines)")
        }
        #expect(Self.warnings(dump, naming: "model_eval.methods.future.W4A4").isEmpty)
        #expect(dump.warnings.allSatisfy { !$0.description.contains("\n") })
    }

    /// Without a valid full-precision figure the model figures have no reference: all of `model_eval` is
    /// ignored (with the reason), the rest of the sidecar is kept.
    @Test(arguments: ["0", "-3", "0.99", "1e39", "\"high\"", "null"])
    func issue23_aBadFullPrecisionFigureIgnoresTheModelFigures(fp: String) throws {
        let dump = try Self.open(#"{"tokens": ["a", "b"], "model_eval": {"fp": \#(fp), "methods": {"rtn": {"W4A4": 20}}}}"#)
        #expect(dump.sidecar?.tokens == ["a", "b"])
        #expect(dump.sidecar?.modelEvaluation == nil)
        #expect(Self.warnings(dump, naming: "model_eval.fp").count == 1, "\(dump.warnings)")
    }

    /// A seed spread whose count or figures are out of range is ignored; the figures are kept.
    @Test(arguments: [#""seeds": 0, "min": 21, "max": 22"#, #""seeds": -2, "min": 21, "max": 22"#,
                      #""seeds": 3, "min": 0, "max": 22"#, #""seeds": 3, "min": 21, "max": 1e308"#,
                      #""seeds": 3, "min": 23, "max": 22"#])
    func issue23_aBadSeedSpreadIsIgnored(fields: String) throws {
        let dump = try Self.open(#"""
            {"model_eval": {"fp": 17.5, "methods": {"duquant": {"W4A4": 21.5}},
             "seed_spread": {"method": "duquant", "setting": "W4A4", \#(fields)}}}
            """#)
        let e = try #require(dump.sidecar?.modelEvaluation)
        #expect(e.figures == ["W4A4": [.duquant: 21.5]] && e.seedSpread == nil)
        #expect(Self.warnings(dump, naming: "model_eval.seed_spread").count == 1, "\(dump.warnings)")
    }

    /// Regression (issue 23, item 3): a sidecar parameter out of its spec's range stopped the explorer and
    /// `render` (the whole command failed); now each is checked against ``ParameterSpec`` when read, the
    /// bad ones are named and ignored, and the good ones are kept.
    @Test func issue23_sidecarParametersAreCheckedAgainstTheirSpec() throws {
        let dump = try Self.open(#"""
            {"parameters": {"block": 4, "abits": 1, "alpha": 1e308, "blocks": 4, "steps": -1, "seed": -1,
             "lac": 0, "select": "best", "layout": ["shared"], "no-smooth": true, "wbits": "8", "patience": 2.5,
             "same-settings": 0}}
            """#)
        let s = try #require(dump.sidecar)
        #expect(s.parameters.map { "\($0.name)=\($0.value)" } == ["block=4", "no-smooth=", "wbits=8"])
        for name in ["abits", "alpha", "blocks", "steps", "seed", "lac", "select", "layout", "patience", "same-settings"] {
            #expect(Self.warnings(dump, naming: "parameters.\(name)").count == 1, "\(name): \(dump.warnings)")
        }
        #expect(Self.warnings(dump, naming: "parameters.abits").first?.contains("2…8") == true)
    }

    /// Many bad entries do not flood the output: the first few are named, then one line counts the rest.
    @Test func manyIgnoredEntriesAreCounted() throws {
        let methods = (0..<50).map { #""W\#($0)A4": -1"# }.joined(separator: ", ")
        let dump = try Self.open(#"{"model_eval": {"fp": 17.5, "methods": {"rtn": {\#(methods)}}}}"#)
        #expect(dump.warnings.count == SidecarNotes.named + 1, "\(dump.warnings.count)")
        #expect(dump.warnings.last?.description.contains("34 more sidecar entries ignored") == true, "\(dump.warnings)")
    }

    /// A known key of the wrong type is ignored and named; the others are kept.
    @Test func aKnownKeyOfTheWrongTypeIsIgnored() throws {
        let dump = try Self.open(#"{"model": 5, "tokens": ["a", 1], "token_ids": [1, -2], "text_source": "t", "shared_inputs": [1]}"#)
        let s = try #require(dump.sidecar)
        #expect(s.model == nil && s.tokens == nil && s.tokenIds == nil && s.textSource == "t" && s.sharedInputs.isEmpty)
        for entry in ["model", "tokens", "token_ids", "shared_inputs"] {
            #expect(Self.warnings(dump, naming: entry).count == 1, "\(entry): \(dump.warnings)")
        }
    }
}
