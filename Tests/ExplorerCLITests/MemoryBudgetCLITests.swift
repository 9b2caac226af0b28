import Foundation
import Testing
@testable import ExplorerCLI

/// Layers whose shapes ask for more memory than the budget, through the command line (issue 10, item 2).
@Suite struct MemoryBudgetCLITests {
    /// 4000×1 input and 4000×1 weight: a 32 KB file whose output product is 4000×4000 (64 MB).
    static let long = HostileFileCLITests.path("st_long_product.safetensors")

    static func outputErrors(_ json: String) throws -> [String: Double] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let layer = try #require((root["layers"] as? [[String: Any]])?.first)
        let methods = try #require(layer["methods"] as? [String: [String: Any]])
        return methods.compactMapValues { $0["output_rel_error"] as? Double }
    }

    /// Regression: `report` held X Wᵀ and Q(X̃)Q(W̃)ᵀ whole, so a small file with long shapes aborted with
    /// "failed to allocate 40000000032 bytes". Under a budget the products are measured in tiles, with
    /// the same figures as whole products.
    @Test func issue10_longProductIsMeasuredInTiles() throws {
        let args = ["report", Self.long, "--methods", "rtn,hadamard", "--format", "json"]
        let whole = try Self.outputErrors(try CLI.dispatch(args))
        let tiled = try Self.outputErrors(try CLI.dispatch(args + ["--memory-budget", "32M"]))
        #expect(whole.count == 2 && whole.keys == tiled.keys)
        for (m, e) in whole { #expect(abs(e - tiled[m]!) <= 1e-6 * e, "\(m): \(e) vs \(tiled[m]!)") }
    }

    /// Regression: nothing checked shapes against memory; now every command refuses an over-budget layer
    /// with one line (exit status 2), before allocating.
    @Test func issue10_layerOverBudgetIsRefusedInOneLine() throws {
        for args in [["report", Self.long], ["report", Self.long, "--layer", "long"],
                     ["export", Self.long, "--layer", "long", "-o", NSTemporaryDirectory() + "never-written.safetensors"],
                     ["render", Self.long, "--size", "80x24"]] {
            let error = #expect(throws: CLIError.self) { try CLI.dispatch(args + ["--memory-budget", "64K"]) }
            let message = try #require(error?.message, "\(args)")
            #expect(message.contains("over the memory budget of 64 KB (--memory-budget SIZE raises it)"), "\(message)")
            #expect(message.contains("4000×1 → 4000"), "\(message)")
            #expect(!message.contains("\n"))
        }
        // `list` streams its statistics and needs no budget for the layer.
        let list = try CLI.dispatch(["list", Self.long, "--memory-budget", "16K"])
        #expect(list.contains("\n  long  ") && !list.contains("skipped"), "\(list)")
        #expect(CLI.run(["report", Self.long, "--memory-budget", "64K"]) == 2)
        let bad = #expect(throws: CLIError.self) { try CLI.dispatch(["report", Self.long, "--memory-budget", "lots"]) }
        #expect(bad?.message == "--memory-budget must be a size such as 512M or 8G (got 'lots')")
    }
}
