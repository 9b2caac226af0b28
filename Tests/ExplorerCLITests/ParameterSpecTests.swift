import DuQuantCore
import Foundation
import Testing
@testable import ExplorerCLI
@testable import ExplorerModel

/// One parameter spec behind the command line, the explorer's `[`/`]` and the docs.
@Suite struct ParameterSpecTests {
    // Regression (issue 11): the explorer's ladder stopped at 512 while the command line allows 4096, so
    // with `--block 4096` pressing `]` ("increase") set the block to 512.
    @Test func increaseFromBlock4096DoesNotDropTo512() throws {
        let a = try Arguments.parse(["--block", "4096"], options: ParameterOptions.names, flags: [], command: "t")
        let p = try ParameterOptions.params(from: a)
        #expect(ParamField.named("block")!.adjust(p, by: +1).block == 4096)
        #expect(ParamField.named("block")!.adjust(p, by: -1).block == 2048)
    }

    // Regression (issue 11): the panel allowed perm-times 1…4 while the command line allows 1…16, so with
    // `--perm-times 8` pressing `]` set 4.
    @Test func increaseFromPermTimes8GoesTo9() throws {
        let a = try Arguments.parse(["--perm-times", "8"], options: ParameterOptions.names, flags: [], command: "t")
        let p = try ParameterOptions.params(from: a)
        #expect(ParamField.named("perm-times")!.adjust(p, by: +1).permTimes == 9)
        #expect(ParamField.named("perm-times")!.adjust(p, by: -1).permTimes == 7)
    }

    /// From every accepted value the command line can give (range ends, ladder rungs, values between
    /// rungs), `]` never lowers and `[` never raises a knob, and the result is still accepted.
    @Test func keysNeverMoveAgainstTheirDirectionOrLeaveTheRange() throws {
        for spec in ParameterText.panel.map(\.spec) {
            var starts: [String] = []
            switch spec.domain {
            case let .integer(_, r, ladder):
                starts = ([r.lowerBound, r.upperBound, (r.lowerBound + r.upperBound) / 2, r.upperBound - 1]
                    + ladder + ladder.map { $0 + 1 }).filter(r.contains).map(String.init)
            case let .ratio(_, r):
                starts = [r.lowerBound, r.upperBound, 0.01, 0.33, 0.62, 0.9, 0.97].filter(r.contains).map { "\($0)" }
            case .seed: starts = ["0", "7", "\(UInt64.max)"]
            case .toggle, .selection, .layout: starts = []
            }
            for s in starts {
                var p = QuantParams()
                try spec.parse(s, into: &p)
                try p.validate()
                let up = spec.adjust(p, by: +1), down = spec.adjust(p, by: -1)
                #expect(throws: Never.self) { try up.validate() }
                #expect(throws: Never.self) { try down.validate() }
                switch spec.domain {
                case let .integer(path, _, _):
                    #expect(up[keyPath: path] >= p[keyPath: path], "\(spec.name) ] from \(s)")
                    #expect(down[keyPath: path] <= p[keyPath: path], "\(spec.name) [ from \(s)")
                case let .ratio(path, _):
                    #expect(up[keyPath: path] >= p[keyPath: path], "\(spec.name) ] from \(s)")
                    #expect(down[keyPath: path] <= p[keyPath: path], "\(spec.name) [ from \(s)")
                case .seed:
                    #expect(up.seed >= p.seed && down.seed <= p.seed)
                default: break
                }
            }
        }
    }

    /// The command line and the explorer accept exactly the same values: a value just outside a range
    /// is refused by both (`setParams` reports it), one at the end is accepted by both.
    @Test func commandLineAndExplorerShareTheRanges() throws {
        for spec in ParameterSpec.all {
            var outside: [String] = [], ends: [String] = []
            switch spec.domain {
            case let .integer(_, r, _): outside = ["\(r.lowerBound - 1)", "\(r.upperBound + 1)"]; ends = ["\(r.lowerBound)", "\(r.upperBound)"]
            case let .ratio(_, r): outside = ["\(r.lowerBound - 0.005)", "\(r.upperBound + 0.01)", "nan"]; ends = ["\(r.lowerBound)", "\(r.upperBound)"]
            default: continue
            }
            for v in outside {
                let a = try Arguments.parse(["--\(spec.name)", v], options: ParameterOptions.names, flags: [], command: "t")
                #expect(throws: CLIError.self) { try ParameterOptions.params(from: a) }
                var p = QuantParams()
                if (try? spec.parse(v, into: &p)) != nil {
                    var state = AppState(files: [], layers: [])
                    _ = App.setParams(&state, p)
                    #expect(state.shared.params == QuantParams() && state.status.lastError != nil, "\(spec.name) \(v) accepted by the explorer")
                }
            }
            for v in ends {
                let a = try Arguments.parse(["--\(spec.name)", v], options: ParameterOptions.names, flags: [], command: "t")
                #expect(throws: Never.self) { try ParameterOptions.params(from: a) }
            }
        }
    }

    // Regression (issue 16, item 3): `--symmetric` made activations symmetric too, while the official code
    // quantizes activations asymmetrically always and offers symmetric quantization for weights only.
    @Test func symmetricIsForWeightsAndActivationsHaveTheirOwnSwitch() throws {
        let parse = { (args: [String]) throws -> QuantParams in
            try ParameterOptions.params(from: Arguments.parse(args, options: ParameterOptions.names,
                                                              flags: ParameterOptions.flags, command: "t"))
        }
        let official = try parse(["--symmetric"])
        #expect(official.weightQuantizer.symmetric && !official.activationQuantizer.symmetric)
        let acts = try parse(["--act-symmetric"])
        #expect(!acts.weightQuantizer.symmetric && acts.activationQuantizer.symmetric)
        let defaults = try parse([])
        #expect(!defaults.weightQuantizer.symmetric && !defaults.activationQuantizer.symmetric)
    }

    @Test func parameterTableInTheDocsIsTheSpec() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/EXPLORER.md")
        var text = try String(contentsOf: docs, encoding: .utf8)
        let begin = "<!-- parameters:begin -->\n", end = "<!-- parameters:end -->"
        func section(_ text: String) throws -> Range<String.Index> {
            let b = try #require(text.range(of: begin)), e = try #require(text.range(of: end))
            return b.upperBound..<e.lowerBound
        }
        let generated = ParameterOptions.markdownTable
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            text.replaceSubrange(try section(text), with: generated)
            try text.write(to: docs, atomically: true, encoding: .utf8)
        }
        #expect(String(text[try section(text)]) == generated,
                "docs/EXPLORER.md's parameter table differs from the spec; re-record with RECORD_SNAPSHOTS=1")
    }
}
