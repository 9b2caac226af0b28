import DuQuantCore
import ExplorerModel
import Foundation
import Testing
@testable import ExplorerCLI

/// Every option is read once, in the scope it was given in (issue 23, item 2): what is inside
/// `report --baseline "…"` sets the baseline and nothing else.
@Suite struct OptionScopeTests {
    /// A value of `spec` other than its default, as the command line writes it (nil for a flag).
    static func otherValue(_ spec: ParameterSpec) -> String? {
        if spec.isFlag { return nil }
        let p = spec.adjust(QuantParams(), by: +1)
        if case .seed = spec.domain { return "\(p.seed)" }
        return ParameterText.named(spec.name)!.value(in: p)
    }

    /// The main run of a `report --format json`: its parameters and every layer's figures, without the
    /// timings and the baseline.
    static func mainRun(_ json: String) throws -> NSDictionary {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let layers = try #require(root["layers"] as? [[String: Any]])
        let figures: [[String: Any]] = layers.map { layer in
            var l = layer
            l["baseline"] = nil
            if let methods = layer["methods"] as? [String: [String: Any]] {
                l["methods"] = methods.mapValues { m in var m = m; m["seconds"] = nil; return m }
            }
            return l
        }
        return ["params": root["params"] ?? NSNull(), "layers": figures] as NSDictionary
    }

    /// The baseline's parameters of the first layer, as the JSON report prints them.
    static func baselineParams(_ json: String) throws -> NSDictionary? {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let layer = try #require((root["layers"] as? [[String: Any]])?.first)
        return (layer["baseline"] as? [String: Any])?["params"] as? NSDictionary
    }

    static func params(_ json: String) throws -> NSDictionary {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(root["params"] as? NSDictionary)
    }

    /// Regression (issue 23, item 2): `CLI.dispatch` found `--memory-budget` by scanning the raw argument
    /// list, so `report FILE --baseline --memory-budget=1K` ran the main report under a 1 KB budget and
    /// refused every layer. Each parameter of ``ParameterSpec``, and `--memory-budget`, given inside
    /// `--baseline` (as one word and as the next argument) must leave the main run as it is.
    @Test func issue23_optionsInsideBaselineDoNotReachTheMainRun() throws {
        let path = try ReportCommandTests.writeDump()
        defer { unlink(path) }
        let base = ["report", path, "--layer", "down_proj", "--block", "16", "--steps", "2", "--format", "json"]
        let reference = try Self.mainRun(try CLI.dispatch(base))
        var cases: [(option: [String], expect: [String])] = []
        for spec in ParameterSpec.all {
            let word = Self.otherValue(spec).map { "--\(spec.name)=\($0)" } ?? "--\(spec.name)"
            let spaced = Self.otherValue(spec).map { "--\(spec.name) \($0)" } ?? "--\(spec.name)"
            let run = Self.otherValue(spec).map { ["--\(spec.name)", $0] } ?? ["--\(spec.name)"]
            cases.append((["--baseline", word], run))
            cases.append((["--baseline", spaced], run))
            cases.append((["--baseline=" + word], run))
        }
        for budget in [["--baseline", "--memory-budget=1K"], ["--baseline", "--memory-budget 1K"],
                       ["--baseline", "--lac 1 --memory-budget=1K"], ["--baseline=--memory-budget=1K"]] {
            cases.append((budget, []))
        }
        for c in cases {
            let json: String
            do { json = try CLI.dispatch(base + c.option) } catch {
                Issue.record("\(c.option): \(error.message)")
                continue
            }
            #expect(try Self.mainRun(json) == reference, "\(c.option) changed the main run")
            if !c.expect.isEmpty {
                // The baseline has the option: its parameters are those of a run given it directly.
                let direct = try Self.params(try CLI.dispatch(["report", path, "--layer", "down_proj", "--format", "json"] + c.expect))
                #expect(try Self.baselineParams(json) == direct, "\(c.option)")
            }
        }
    }

    /// A budget inside `--baseline` bounds the baseline's evaluation only: a layer over it has no baseline,
    /// and a `skipped:` line says why; the main figures are those of a run without it.
    @Test func issue23_aBudgetInsideBaselineBoundsTheBaselineOnly() throws {
        let path = try ReportCommandTests.writeDump()
        defer { unlink(path) }
        let base = ["report", path, "--layer", "down_proj", "--block", "16", "--steps", "2"]
        let table = try CLI.dispatch(base + ["--baseline", "--lac 1 --memory-budget 1K"])
        #expect(!table.contains("vs baseline"), "\(table)")
        #expect(table.contains("skipped: model.layers.0.mlp.down_proj: baseline not computed: ") && table.contains("over the memory budget of 1 KB"), "\(table)")
        let enough = try CLI.dispatch(base + ["--baseline", "--lac 1 --memory-budget 1G"])
        #expect(enough.contains("DuQuant vs baseline") && !enough.contains("skipped"), "\(enough)")
        #expect(throws: CLIError.self) { try CLI.dispatch(base + ["--baseline", "--memory-budget lots"]) }
    }

    /// The command's own `--memory-budget` still holds for the whole command, wherever it stands.
    @Test func theCommandsBudgetStillHolds() throws {
        let path = try ReportCommandTests.writeDump()
        defer { unlink(path) }
        for args in [["report", path, "--memory-budget", "1K"], ["report", "--memory-budget=1K", path],
                     ["report", path, "--baseline", "--lac 1", "--memory-budget=1K"]] {
            let error = #expect(throws: CLIError.self) { try CLI.dispatch(args) }
            #expect(error?.message.contains("over the memory budget of 1 KB") == true, "\(args): \(error?.message ?? "")")
        }
        // After `--`, a word is a file name, not an option.
        let error = #expect(throws: CLIError.self) { try CLI.dispatch(["list", "--", "--memory-budget=1K"]) }
        #expect(error?.message.contains("--memory-budget=1K: cannot open") == true, "\(error?.message ?? "")")
    }
}
