import Foundation
import Testing
@testable import DuQuantIO

/// A cheap, deterministic stand-in for fuzzing: every prefix and many byte-flipped variants of the
/// good fixtures must open (and load) or fail with a `DumpError`, never trap.
@Suite("mutated inputs never trap")
struct MutationTests {
    static let files = ["dtypes.safetensors", "model.safetensors", "v1_f4.npy", "v2_f2.npy", "v3_f8.npy",
                        "stored.npz", "deflated.npz"]

    /// Mutations per file; raise with `DUQ_MUTATIONS=100000` for a longer local run.
    static let rounds = ProcessInfo.processInfo.environment["DUQ_MUTATIONS"].flatMap { Int($0) } ?? 400

    /// Opens `bytes` and loads every tensor and layer; returns how many loads succeeded.
    @discardableResult
    static func exercise(_ bytes: [UInt8], as name: String) -> Int {
        guard let dump = try? DumpFile.open(contents: bytes, path: name) else { return 0 }
        var ok = 0
        for t in dump.tensors where (try? dump.loadTensor(t.name)) != nil { ok += 1 }
        for l in dump.layers where (try? dump.loadLayer(l.name)) != nil { ok += 1 }
        return ok
    }

    @Test("every truncation", arguments: files)
    func truncations(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixture.path(file))))
        #expect(Self.exercise(bytes, as: file) > 0)
        let step = max(1, bytes.count / 600)
        for n in stride(from: 0, to: bytes.count, by: step) { Self.exercise(Array(bytes[..<n]), as: file) }
    }

    @Test("byte flips", arguments: files)
    func flips(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixture.path(file))))
        var rng = SplitMix(seed: 0xD0_0A17)
        for _ in 0..<Self.rounds {
            var m = bytes
            for _ in 0..<Int(rng.next() % 4 + 1) {
                // Bias towards the headers, where the parsers live.
                let limit = rng.next() % 2 == 0 ? min(m.count, 256) : m.count
                let i = Int(rng.next() % UInt64(limit))
                let choices: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, m[i] ^ 0x01, UInt8(truncatingIfNeeded: rng.next())]
                m[i] = choices[Int(rng.next() % UInt64(choices.count))]
            }
            Self.exercise(m, as: file)
        }
    }
}
