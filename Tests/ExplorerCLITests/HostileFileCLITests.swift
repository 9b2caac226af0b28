import Foundation
import Testing
@testable import ExplorerCLI

/// A handful of the hostile corpus (Tests/DuQuantIOTests/Fixtures/hostile) through the command line:
/// a bad file is one line naming the file and the problem (exit status 2 in `CLI.run`), a bad layer
/// leaves the good ones reportable, and bad numbers are reported rather than spread.
@Suite struct HostileFileCLITests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../DuQuantIOTests/Fixtures/hostile").standardized.path

    static func path(_ name: String) -> String { corpus + "/" + name }

    @Test("a malformed file is one line naming it", arguments: [
        ("st_len_2pow63.safetensors", "header length 9223372036854775808 exceeds the file size"),
        ("st_shape_overflow.safetensors", "overflows"),
        ("st_deep_nesting.safetensors", "nested deeper than 64"),
        ("st_cut_in_data.safetensors", "exceed the data region"),
        ("npy_header_len_past_eof.npy", "runs past the end of the data"),
        ("npz_no_eocd.npz", "no zip end-of-central-directory record"),
        ("npz_count_lies_high.npz", "claims 1000 entries"),
    ])
    func malformedFile(file: String, expected: String) {
        let path = Self.path(file)
        for command in ["list", "report", "export"] {
            var args = [command, path]
            if command == "export" { args += ["--layer", "good", "-o", NSTemporaryDirectory() + "never.safetensors"] }
            do {
                _ = try CLI.dispatch(args)
                Issue.record("\(command) \(file) succeeded")
            } catch {
                #expect(error.message.hasPrefix(path + ": "), "\(error.message)")
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(!error.message.contains("\n"))
            }
        }
    }

    @Test func badLayerFailsAloneAndTheGoodOneIsReported() throws {
        let path = Self.path("st_in_features_mismatch.safetensors")
        let error = #expect(throws: CLIError.self) { try CLI.dispatch(["report", path, "--layer", "bad"]) }
        #expect(error?.message == "\(path): layer bad: weight in_features 5 ≠ input in_features 4")
        let table = try CLI.dispatch(["report", path, "--block", "4", "--steps", "2"])
        #expect(table.contains("\ngood  2 tokens × 4 → 3\n"))
        #expect(table.contains("skipped: bad: weight in_features 5"))
    }

    @Test func corruptMemberIsSkippedAndNamed() throws {
        let path = Self.path("npz_bad_crc_stored.npz")
        let text = try CLI.dispatch(["report", path, "--block", "4", "--steps", "2", "--format", "json"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let layers = try #require(root["layers"] as? [[String: Any]])
        #expect(layers.map { $0["name"] as? String } == ["other"])
        let skipped = try #require(root["skipped"] as? [String])
        #expect(skipped == ["\(path): member good.input.npy: CRC-32 mismatch (corrupt archive)"])
        let error = #expect(throws: CLIError.self) { try CLI.dispatch(["report", path, "--layer", "good"]) }
        #expect(error?.message.contains("CRC-32 mismatch") == true)
    }

    @Test func nonFiniteValuesAreReportedAndReplaced() throws {
        let path = Self.path("st_nonfinite.safetensors")
        let text = try CLI.dispatch(["report", path, "--layer", "bad", "--block", "4", "--steps", "4", "--format", "json"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let layer = try #require((root["layers"] as? [[String: Any]])?.first)
        let nf = try #require(layer["non_finite"] as? [String: Any])
        #expect(nf["count"] as? Int == 3 && nf["nan"] as? Int == 1 && nf["inf"] as? Int == 2)
        #expect(nf["first"] as? [Int] == [0, 2])
        #expect(nf["rule"] as? String == "replaced by 0")
        let methods = try #require(layer["methods"] as? [String: [String: Any]])
        for (name, m) in methods {
            for key in ["act_max_abs", "kurtosis", "act_mse", "weight_mse", "output_rel_error"] {
                #expect(m[key] is Double, "\(name).\(key) should be a finite number")
            }
            #expect((m["overflow"] as? [String])?.isEmpty == true)
        }
        let table = try CLI.dispatch(["report", path, "--layer", "bad", "--block", "4", "--steps", "4"])
        #expect(table.contains("input: 3 non-finite values (1 NaN, 2 ±inf), first at (token 0, channel 2); replaced by 0"))
        let list = try CLI.dispatch(["list", path])
        #expect(list.contains("note: bad: input: 3 non-finite values"))
        let good = try CLI.dispatch(["report", path, "--layer", "good", "--format", "json", "--block", "4"])
        #expect(good.contains("\"non_finite\": null"))
    }

    @Test func overflowNearFloatMaxIsFlagged() throws {
        let path = Self.path("st_near_float_max.safetensors")
        let table = try CLI.dispatch(["report", path, "--layer", "bad", "--block", "4", "--steps", "4"])
        #expect(table.contains("RTN: overflow: act_mse, weight_mse, output_rel_error"))
        let csv = try CLI.dispatch(["report", path, "--layer", "bad", "--block", "4", "--steps", "4", "--format", "csv"])
        #expect(csv.split(separator: "\n")[1].contains(",0,act_mse weight_mse output_rel_error per_token_error,"))
    }

    @Test func exitStatusIsTwo() {
        #expect(CLI.run(["list", Self.path("st_empty.safetensors")]) == 2)
    }
}
