import DuQuantCore
import DuQuantIO
import ExplorerModel
import Foundation
import Testing
@testable import ExplorerCLI

/// Issue 14: the bundled toys open with the parameters their sidecars name, and the paper's outlier
/// figure holds in numbers checked by hand.
@Suite struct ToySampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func sample(_ name: String) -> String { root.appendingPathComponent("samples/toy/\(name)").path }

    /// The toy's layer, calibrated with the parameters its sidecar names.
    static func calibrated(_ name: String) throws -> (LayerData, QuantParams, DuQuantCalibration) {
        let dump = try DumpFile.open(sample(name))
        let sidecar = try #require(dump.sidecar)
        let (p, applied) = try ExplorerOptions.applying(sidecar, to: QuantParams(), except: [])
        #expect(!applied.isEmpty)
        let layer = try dump.loadLayer("model.layers.0.mlp.down_proj")
        return (layer, p, try #require(DuQuant.calibrate(layer, p)))
    }

    /// Paper, figure of the massive outlier. By hand: a block of 2 is rotated by [[1, 1], [−1, 1]]/√2 up to
    /// signs and order, so token 0's 100 becomes 100/√2 ≈ 70.71 in channels 0 and 1; the zigzag gives the
    /// two largest channels to blocks 0 and 1; rotation 2 spreads each: 70.71/√2 = 50 in channels 0–3.
    @Test func theOutlierIsSpreadDealtOutAndFlattened() throws {
        let (layer, p, cal) = try Self.calibrated("outlier.safetensors")
        #expect(p.block == 2 && p.steps == 1 && !p.smooth)
        let x = layer.input
        #expect(x[0, 1] == 100)
        #expect((0..<x.cols).allSatisfy { $0 == 1 || x[0, $0] == 0 })
        let spread = 100 / Float(2).squareRoot(), flat: Float = 50
        // Rotation 1: block 0 of token 0 holds ±70.71 twice, the rest of the row stays 0.
        let r1 = cal.matrix(.rotation1)
        for c in 0..<2 { #expect(abs(abs(r1[0, c]) - spread) < 1e-3, "rotation 1 ch \(c): \(r1[0, c])") }
        for c in 2..<x.cols { #expect(abs(r1[0, c]) < 1e-5) }
        // Permutation: the two 70.71 channels lead blocks 0 and 1 (one each).
        let pm = cal.matrix(.permutation)
        let big = (0..<x.cols).filter { abs(pm[0, $0]) > 1 }
        #expect(big.map { $0 / p.block } == [0, 1])
        let perm = try #require(cal.transform.permutations.first)
        #expect(Set(big.map { perm[$0] }) == [0, 1])
        // Rotation 2: 50 in channels 0–3, nothing elsewhere; the peak went 100 → 70.71 → 50.
        let r2 = cal.matrix(.rotation2)
        for c in 0..<4 { #expect(abs(abs(r2[0, c]) - flat) < 1e-3, "rotation 2 ch \(c): \(r2[0, c])") }
        for c in 4..<x.cols { #expect(abs(r2[0, c]) < 1e-4) }
        // The norm of token 0 is kept throughout (rotations and a permutation are orthogonal).
        for m in [r1, pm, r2] {
            let norm = (0..<x.cols).reduce(Float(0)) { $0 + m[0, $1] * m[0, $1] }.squareRoot()
            #expect(abs(norm - 100) < 1e-3)
        }
        // The sidecar's expectations say the same.
        let expected = try #require(DumpFile.open(Self.sample("outlier.safetensors")).sidecar?.extras["expected_token0"])
        #expect(expected.contains("70.71") && expected.contains("50.0"))
    }

    /// The zigzag toy opens with block 4, no greedy steps and no smoothing: the permutation alone, whose
    /// order is the one the sidecar's NumPy code computed independently.
    @Test func theZigzagToyShowsThePermutationAlone() throws {
        let (layer, p, cal) = try Self.calibrated("zigzag.safetensors")
        #expect(p.block == 4 && p.steps == 0 && !p.smooth)
        #expect(cal.matrix(.rotation1) == layer.input)
        let extras = try #require(DumpFile.open(Self.sample("zigzag.safetensors")).sidecar?.extras["zigzag"])
        let perm = try #require(cal.transform.permutations.first)
        #expect(extras.contains("\"order\":[" + perm.map(String.init).joined(separator: ",") + "]"))
    }

    @Test func commandLineOptionsWinOverTheSidecar() throws {
        let dump = try DumpFile.open(Self.sample("zigzag.safetensors"))
        let sidecar = try #require(dump.sidecar)
        var base = QuantParams()
        base.block = 8
        let (p, applied) = try ExplorerOptions.applying(sidecar, to: base, except: ["block"])
        #expect(p.block == 8 && p.steps == 0 && !p.smooth)
        #expect(!applied.contains { $0.hasPrefix("--block") })
    }

    @Test func theToyDirectoryOpensEveryToyAndShowsTheTeachingView() throws {
        let files = Commands.expandingSampleDirectory(Self.root.appendingPathComponent("samples/toy").path)
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["channels.safetensors", "outlier.safetensors", "zigzag.safetensors"])
        let screen = try CLI.dispatch(["render", Self.sample("zigzag.safetensors"), "--stage", "permutation", "--size", "120x40",
                                       "--color", "never"])
        // Every value printed with block rules, where each channel came from, and the explanation.
        let from = try #require(screen.split(separator: "\n").first { $0.contains(" from ") })
        let numbers = from.split(separator: " ").drop { $0 != "from" }.dropFirst().filter { $0 != "│" }
        let order = "[" + numbers.joined(separator: ",") + "]"
        let zigzag = try #require(DumpFile.open(Self.sample("zigzag.safetensors")).sidecar?.extras["zigzag"])
        #expect(zigzag.contains("\"order\":" + order), "\(order)")
        #expect(from.filter { $0 == "│" }.count == 3)
        #expect(screen.contains("8 tokens x 16 channels with two outlier channels"))
        #expect(screen.contains("variance of block means 8.36 → 2.61"))
    }

    /// Issue 25: `duquant-explorer samples/toy` opens the channels toy first, under its sidecar's parameters,
    /// with DuQuant's output error marked lowest and a pointer to the explanation (`?`), which the help shows.
    @Test func theToyDirectoryOpensTheChannelsToyFirst() throws {
        let dir = Self.root.appendingPathComponent("samples/toy").path
        let screen = try CLI.dispatch(["render", dir, "--size", "120x40", "--color", "never"])
        #expect(screen.contains("channels.json sets --block 16 --lac 1 --swc 1 · ? explains"), "\(screen)")
        #expect(screen.contains(" channels.safetensors · model.layers.0.mlp.down_proj"))
        let errors = try #require(screen.split(separator: "\n").first { $0.contains("out rel err") })
        #expect(errors.hasSuffix("★"), "\(errors)")
        // The table's five cells (the parameter panel on the left of the same line holds a number too).
        let cells = errors.split(separator: " ").compactMap { Float($0) }.suffix(5)
        #expect(cells.count == 5 && cells.last == cells.min(), "\(errors)")
        let source = try Commands.layerSource([dir])
        let options = try ExplorerOptions([dir], command: "render")
        let state = try options.initialState(source, themes: [], themeIndex: 0)
        #expect(state.list.selected == 0 && source.files[state.shared.layers[state.list.selected].file].hasSuffix("channels.safetensors"))
        #expect(state.shared.params.block == 16 && state.shared.params.lac == 1 && state.shared.params.swc == 1)
        #expect(state.shared.explanations[0]?.hasPrefix("Where DuQuant wins, and why.") == true)
    }

    @Test func jsonPrintsParametersAsTyped() throws {
        let json = try CLI.dispatch(["report", Self.sample("zigzag.safetensors"), "--alpha", "0.6", "--lac", "0.9", "--format", "json"])
        #expect(json.contains("\"alpha\": 0.6,"))
        #expect(json.contains("\"lac\": 0.9,"))
        #expect(!json.contains("0.6000000238418579"))
    }

    /// `--help` names every option the explorer, render and the parameters accept.
    @Test func helpListsEveryOption() throws {
        let help = try CLI.dispatch(["--help"])
        for name in ExplorerOptions.names.union(ExplorerOptions.flags) {
            #expect(help.contains("--\(name)"), "--help does not mention --\(name)")
        }
    }

    @Test func theSidecarsExplanationAndParametersAreRead() throws {
        let sidecar = try #require(DumpFile.open(Self.sample("zigzag.safetensors")).sidecar)
        #expect(sidecar.explanation?.hasPrefix("8 tokens x 16 channels") == true)
        #expect(sidecar.parameters.map { "\($0.name)=\($0.value)" } == ["block=4", "steps=0", "no-smooth="])
        #expect(sidecar.extras["explanation"] == nil && sidecar.extras["parameters"] == nil)
    }

    /// Regression (issue 23, item 3): a sidecar naming an option that does not exist, or a value out of
    /// range, made `render` (and the explorer) fail. It is now checked when the sidecar is read: the entry
    /// is ignored and named once (`list` prints it as a warning), the sidecar's other parameters apply.
    @Test(arguments: [#"{"parameters": {"blocks": 4, "steps": 0}}"#, #"{"parameters": {"abits": 1, "steps": 0}}"#,
                      #"{"parameters": {"alpha": 1e308, "steps": 0}}"#])
    func issue23_aBadSidecarParameterIsIgnoredAndNamed(json: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("toy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.safetensors").path
        try FileManager.default.copyItem(atPath: Self.sample("zigzag.safetensors"), toPath: file)
        try json.write(toFile: dir.appendingPathComponent("t.json").path, atomically: true, encoding: .utf8)
        let screen = try CLI.dispatch(["render", file, "--size", "120x40"])
        #expect(screen.contains("t.json sets --steps 0"), "\(screen)")
        let list = try CLI.dispatch(["list", file])
        let warnings = list.split(separator: "\n").filter { $0.hasPrefix("warning: ") && $0.contains("t.json") }
        #expect(warnings.count == 1 && warnings[0].contains("sidecar entry \"parameters.") && warnings[0].contains(" ignored: "),
                "\(list)")
    }

    /// A `parameters` key that is not an object is a warning naming it; the rest of the sidecar is kept.
    @Test func aMalformedParametersKeyIsAWarning() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("toy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.safetensors").path
        try FileManager.default.copyItem(atPath: Self.sample("zigzag.safetensors"), toPath: file)
        try #"{"parameters": [4], "model": "m"}"#.write(toFile: dir.appendingPathComponent("t.json").path, atomically: true, encoding: .utf8)
        let dump = try DumpFile.open(file)
        #expect(dump.sidecar?.parameters.isEmpty == true && dump.sidecar?.model == "m")
        #expect(dump.warnings.contains { $0.description.contains("\"parameters\"") })
    }
}
