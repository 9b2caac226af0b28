import Testing
@testable import DuQuantIO

/// Each malformed fixture must give one `DumpError` whose single-line description names the file.
@Suite("malformed files")
struct MalformedFileTests {
    @Test("open fails with a one-line error naming the file", arguments: [
        ("bad_truncated.safetensors", "header length"),
        ("bad_header_too_large.safetensors", "exceeds the file size"),
        ("bad_json.safetensors", "invalid JSON"),
        ("bad_offsets.safetensors", "exceed the data region"),
        ("bad_shape.safetensors", "needs 12 × 4 bytes"),
        ("bad_overlap.safetensors", "overlaps"),
        ("bad_magic.npy", "bad magic"),
        ("bad_fortran.npy", "fortran_order True"),
        ("bad_truncated.npz", "end-of-central-directory"),
        ("does_not_exist.safetensors", "cannot open"),
    ])
    func openFails(file: String, expected: String) {
        let path = Fixture.path(file)
        let error = #expect(throws: DumpError.self) { try DumpFile.open(path) }
        guard let error else { return }
        #expect(error.file == path)
        #expect(error.description.hasPrefix(path + ": "))
        #expect(error.description.contains(expected), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test func badCRCIsReportedWhenTheMemberIsRead() throws {
        let path = Fixture.path("bad_crc.npz")
        let dump = try DumpFile.open(path)
        let error = #expect(throws: DumpError.self) { try dump.loadTensor("blk.0.fc1.input") }
        #expect(error?.description == "\(path): member blk.0.fc1.input.npy: CRC-32 mismatch (corrupt archive)")
        #expect(try dump.loadTensor("blk.0.fc1.weight").count == 8)
    }

    /// One line, and line breaks stay visible (they used to become spaces; issue 10 made every control
    /// character a visible escape, see `DisplayText`).
    @Test func descriptionIsOneLineWithVisibleEscapes() {
        #expect(DumpError(file: "a\nb", message: "x\ny").description == "a\\x0ab: x\\x0ay")
    }
}
