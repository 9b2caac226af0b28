import DuQuantCore
import DuQuantIO
import Foundation
import Testing
@testable import ExplorerCLI

/// Issue 25: the command line agrees with the explorer. `list` and `report` read the directory the explorer
/// opens, every command takes the sidecar's parameters (command line over sidecar over defaults) and says
/// which came from it, and the help names every option.
@Suite struct CommandLineAgreesTests {
    static let toyDirectory = ToySampleTests.root.appendingPathComponent("samples/toy").path
    /// The toys, as the explorer opens them.
    static var toyNames: [String] { Commands.expandingSampleDirectory(toyDirectory).map { ($0 as NSString).lastPathComponent } }

    /// Regression: `list samples/toy` and `report samples/toy` failed ("directory has no .npy files")
    /// while the explorer opened it. Both now take its files in the explorer's order.
    @Test func listAndReportReadTheToyDirectory() throws {
        let listed = try CLI.dispatch(["list", Self.toyDirectory])
        let headers = listed.split(separator: "\n").filter { $0.contains("(safetensors, 1 layers") }
        #expect(Self.toyNames.count >= 2)
        #expect(headers.map { ($0.split(separator: " ")[0] as Substring).split(separator: "/").last.map(String.init) } == Self.toyNames)
        let table = try CLI.dispatch(["report", Self.toyDirectory, "--methods", "rtn,duquant"])
        #expect(table.components(separatedBy: "model.layers.0.mlp.down_proj  ").count == Self.toyNames.count + 1)
        let json = try CLI.dispatch(["report", Self.toyDirectory, "--methods", "rtn,duquant", "--format", "json"])
        let files = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(files.compactMap { ($0["file"] as? String)?.split(separator: "/").last.map(String.init) } == Self.toyNames)
        let csv = try CLI.dispatch(["report", Self.toyDirectory, "--methods", "rtn,duquant", "--format", "csv"])
        let lines = csv.split(separator: "\n")
        #expect(lines.first?.hasSuffix(",sidecar_parameters,file") == true)
        #expect(lines.count == 1 + Self.toyNames.count * 2)
        #expect(lines.dropFirst().allSatisfy { $0.contains(".json sets --block ") })
        let rowFiles: [String] = lines.dropFirst().map { String($0.split(separator: "/").last ?? "") }
        let expectedFiles: [String] = Self.toyNames.flatMap { [$0, $0] }
        #expect(rowFiles == expectedFiles)
    }

    /// Regression: `report` ignored the sidecar's parameters (block 128 instead of the toy's). Now each
    /// option comes from the command line, else the sidecar, else the default, and every format says
    /// which came from the sidecar; the figures are those the explorer computes under the same parameters.
    @Test func reportTakesTheSidecarsParametersAndSaysSo() throws {
        let file = ToySampleTests.sample("outlier.safetensors")
        let json = try CLI.dispatch(["report", file, "--format", "json"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let params = try #require(root["params"] as? [String: Any])
        #expect(params["block"] as? Int == 2 && params["steps"] as? Int == 1 && params["smooth"] as? Bool == false)
        #expect(params["seed"] as? String == "2")
        #expect(root["sidecar_parameters"] as? [String] == ["--block 2", "--steps 1", "--no-smooth", "--seed 2"])
        // The explorer's parameters for the same file, and its DuQuant figure.
        let dump = try DumpFile.open(file)
        let (p, _) = try ExplorerOptions.applying(try #require(dump.sidecar), to: QuantParams(), except: [])
        let expected = try #require(Evaluator.evaluate(try dump.loadLayer("model.layers.0.mlp.down_proj"), p, methods: [.duquant]))
        let layers = try #require(root["layers"] as? [[String: Any]])
        let duquant = try #require((layers.first?["methods"] as? [String: [String: Any]])?["duquant"])
        #expect((duquant["output_rel_error"] as? Double).map(Float.init) == expected.methods[.duquant]?.outputRelError)
        // The command line wins over the sidecar, and the output no longer credits the sidecar with it.
        let table = try CLI.dispatch(["report", file, "--block", "4", "--seed", "0", "--methods", "duquant"])
        #expect(table.contains("W4A4 block 4 steps 1 "))
        #expect(table.contains("\noutlier.json sets --steps 1 --no-smooth\n"))
        let csv = try CLI.dispatch(["report", file, "--methods", "rtn", "--format", "csv"])
        #expect(csv.split(separator: "\n").first?.hasSuffix(",sidecar_parameters") == true)
        #expect(csv.split(separator: "\n").last?.hasSuffix(",outlier.json sets --block 2 --steps 1 --no-smooth --seed 2") == true)
        // Without a sidecar nothing changes: no line, an empty JSON list, no CSV column.
        let plain = try ReportCommandTests.writeDump()
        defer { unlink(plain) }
        let bare = try CLI.dispatch(["report", plain, "--block", "16", "--steps", "2", "--methods", "rtn", "--format", "csv"])
        #expect(bare.split(separator: "\n").first?.hasSuffix(",method_weight_clip") == true)
    }

    /// `export` takes the sidecar's parameters too, says so, and records them in the transform's metadata.
    @Test func exportTakesTheSidecarsParameters() throws {
        let out = NSTemporaryDirectory() + "duq-toy-export-\(UUID().uuidString).safetensors"
        defer { unlink(out) }
        let text = try CLI.dispatch(["export", ToySampleTests.sample("outlier.safetensors"), "--layer", "down_proj", "-o", out])
        #expect(text.contains("outlier.json sets --block 2 --steps 1 --no-smooth --seed 2"))
        let written = try DumpFile.open(out)
        #expect(written.metadata["block"] == "2" && written.metadata["seed"] == "2")
        #expect(written.metadata["sidecar_parameters"] == "outlier.json sets --block 2 --steps 1 --no-smooth --seed 2")
    }

    /// The options each command accepts, valued and flags (what `--help` must name).
    static let commands: [(name: String, options: Set<String>)] = [
        ("list", ListCommand.options),
        ("report", ReportCommand.options.union(ReportCommand.flags)),
        ("export", ExportCommand.options.union(ExportCommand.flags)),
        ("render", ExplorerOptions.names.union(ExplorerOptions.flags)),
    ]

    /// Regression: `--help` omitted `--baseline`, `--anatomy`, `--seeds` and `--eval-file`, and
    /// `report --help` exited 2 ("unknown option"). `--help` names every option of every command, and
    /// `COMMAND --help` (or `-h`) prints that command's usage with each of its options.
    @Test func helpNamesEveryOptionOfEveryCommand() throws {
        let help = try CLI.dispatch(["--help"])
        for (command, options) in Self.commands {
            for name in options {
                let option = name.count == 1 ? "-\(name)" : "--\(name)"
                #expect(help.contains(option), "--help does not mention \(command)'s \(option)")
            }
            for flag in ["--help", "-h"] {
                let usage = try CLI.dispatch([command, flag])
                #expect(usage.hasPrefix("usage: duquant-explorer \(command)"))
                for name in options {
                    let option = name.count == 1 ? "-\(name)" : "--\(name)"
                    #expect(usage.contains(option), "\(command) \(flag) does not mention \(option)")
                }
            }
        }
        // After `--`, `--help` is a file name like any other.
        #expect(!CLI.asksForHelp(["report", "--", "--help"]))
        #expect(CLI.asksForHelp(["samples/toy", "--help"]))
    }

    /// The README's headless section documents every option of list, report and export (parameters are
    /// in docs/EXPLORER.md's table, checked against the spec in ParameterSpecTests).
    @Test func theReadmeDocumentsEveryCommandOption() throws {
        let readme = try String(contentsOf: ToySampleTests.root.appendingPathComponent("README.md"), encoding: .utf8)
        for (command, options) in Self.commands where command != "render" {
            for name in options.subtracting(ParameterOptions.names.union(ParameterOptions.flags)) {
                let option = name.count == 1 ? "-\(name)" : "--\(name)"
                #expect(readme.contains(option), "README.md does not mention \(command)'s \(option)")
            }
        }
        let explorer = try String(contentsOf: ToySampleTests.root.appendingPathComponent("docs/EXPLORER.md"), encoding: .utf8)
        for name in ParameterOptions.names.union(ParameterOptions.flags).union(ExplorerOptions.names).union(ExplorerOptions.flags) {
            #expect(explorer.contains("--\(name)"), "docs/EXPLORER.md does not mention --\(name)")
        }
    }

    /// Regression: the explorer's `no layer named … (see: duquant-explorer list FILE)` printed a literal
    /// FILE, and `matches 4 layers` did not say which, as `report` does. Checked through `render`, which
    /// opens files exactly as the explorer does.
    @Test func theExplorersLayerErrorsNameTheFilesAndTheMatches() throws {
        let missing = #expect(throws: CLIError.self) {
            _ = try CLI.dispatch(["render", Self.toyDirectory, "--layer", "no_such_layer"])
        }
        #expect(missing?.message == "no layer named 'no_such_layer' (see: duquant-explorer list \(Self.toyDirectory))")
        let sample = ToySampleTests.root.appendingPathComponent("samples/smollm2-135m/activations.safetensors").path
        let ambiguous = #expect(throws: CLIError.self) { _ = try CLI.dispatch(["render", sample, "--layer", "layers.11"]) }
        let message = ambiguous?.message ?? ""
        #expect(message.hasPrefix("'layers.11' matches 7 layers: model.layers.11."), "\(message)")
        #expect(message.hasSuffix(", …; be more specific"), "\(message)")
        // report says the same.
        let fromReport = #expect(throws: CLIError.self) { _ = try CLI.dispatch(["report", sample, "--layer", "layers.11"]) }
        #expect(fromReport?.message.contains(message.replacingOccurrences(of: "; be more specific", with: "")) == true)
    }
}
