import Foundation
import Testing
@testable import DuQuantIO

/// What one hostile file must do.
enum HostileOutcome: Sendable, CustomStringConvertible {
    /// Opening fails with a one-line error naming the file and containing this text.
    case open(String)
    /// The file opens; loading this layer fails with this text; every other layer still loads.
    case layer(String, String)
    /// The file opens; loading this tensor fails with this text.
    case tensor(String, String)
    /// The file opens with a warning containing this text; every layer loads.
    case warning(String)
    /// The file opens and every tensor and layer loads (the damage is in the numbers, not the file).
    case loads

    var description: String {
        switch self {
        case .open(let m): "open fails: \(m)"
        case .layer(let l, let m): "layer \(l) fails: \(m)"
        case .tensor(let t, let m): "tensor \(t) fails: \(m)"
        case .warning(let m): "warning: \(m)"
        case .loads: "loads"
        }
    }
}

/// The corpus written by tools/fixtures/make_hostile_corpus.py: each file has one defect, and each must
/// give a typed one-line error (or a per-layer problem) quickly, without trapping, while the good
/// layers beside the defect stay usable.
@Suite("hostile corpus")
struct HostileCorpusTests {
    static let cases: [String: HostileOutcome] = [
        // safetensors: truncated at several cut points
        "st_empty.safetensors": .open("too short for a safetensors file (0 bytes"),
        "st_cut_in_length.safetensors": .open("too short for a safetensors file (5 bytes"),
        "st_cut_in_header.safetensors": .open("exceeds the file size"),
        "st_cut_after_header.safetensors": .open("exceed the data region of 0 bytes"),
        "st_cut_in_data.safetensors": .open("exceed the data region of 20 bytes"),
        "st_cut_last_byte.safetensors": .open("exceed the data region of 127 bytes"),
        // header length
        "st_len_past_eof.safetensors": .open("header length 1208 exceeds the file size"),
        "st_len_2pow63.safetensors": .open("header length 9223372036854775808 exceeds the file size"),
        "st_len_max.safetensors": .open("header length 18446744073709551615 exceeds the file size"),
        "st_len_zero.safetensors": .open("header length 0 is too small"),
        // header JSON
        "st_not_json.safetensors": .open("header: invalid JSON at byte 0"),
        "st_json_array.safetensors": .open("header is not a JSON object"),
        "st_json_string.safetensors": .open("header is not a JSON object"),
        "st_json_trailing.safetensors": .open("unexpected data after the JSON value"),
        "st_desc_not_object.safetensors": .open("description is not an object"),
        "st_metadata_not_strings.safetensors": .open("__metadata__[\"a\"] is not a string"),
        "st_dtype_missing.safetensors": .open("missing or non-string dtype"),
        "st_duplicate_names.safetensors": .open("duplicate key \"x.input\""),
        "st_non_utf8_name.safetensors": .open("string is not valid UTF-8"),
        "st_lone_surrogate_name.safetensors": .open("unpaired surrogate"),
        "st_deep_nesting.safetensors": .open("nested deeper than 64"),
        "st_deep_nesting_unclosed.safetensors": .open("nested deeper than 64"),
        "st_huge_exponent.safetensors": .open("data_offsets must be [begin, end] integers"),
        "st_long_number.safetensors": .open("data_offsets must be [begin, end] integers"),
        // offsets
        "st_offsets_past_data.safetensors": .open("data_offsets [0, 400] exceed the data region of 16 bytes"),
        "st_offsets_reversed.safetensors": .open("data_offsets [8, 0] are not ordered"),
        "st_offsets_negative.safetensors": .open("data_offsets [-8, 0] are not ordered"),
        "st_offsets_fractional.safetensors": .open("data_offsets must be [begin, end] integers"),
        "st_offsets_three.safetensors": .open("data_offsets must be [begin, end] integers"),
        "st_offsets_2pow64.safetensors": .open("data_offsets must be [begin, end] integers"),
        "st_overlap.safetensors": .open("tensor \"b.input\" overlaps another tensor"),
        "st_gap.safetensors": .open("data region has 4 unused bytes at offset 8"),
        "st_trailing_data.safetensors": .open("data region has 7 unused bytes at the end"),
        // shapes
        "st_shape_bytes_mismatch.safetensors": .open("needs 12 × 4 bytes but data_offsets span 40"),
        "st_shape_overflow.safetensors": .open("shape [1099511627776, 1099511627776] overflows"),
        "st_shape_overflow_bytes.safetensors": .open("needs 4611686018427387904 × 8 bytes"),
        "st_shape_overflow_with_zero.safetensors": .open("shape [0, 1099511627776, 1099511627776] overflows"),
        "st_shape_negative.safetensors": .open("is not a list of non-negative integers"),
        "st_shape_huge_number.safetensors": .open("is not a list of non-negative integers"),
        "st_shape_float.safetensors": .open("is not a list of non-negative integers"),
        // the file is fine, one layer is not
        "st_dtype_unknown.safetensors": .layer("bad", "unsupported dtype Q7_X"),
        "st_dtype_int.safetensors": .layer("bad", "unsupported dtype I32"),
        "st_in_features_mismatch.safetensors": .layer("bad", "weight in_features 5 ≠ input in_features 4"),
        "st_weight_rank3.safetensors": .layer("bad", "has rank 3, expected 2"),
        "st_input_scalar.safetensors": .layer("bad", "is a scalar"),
        "st_zero_tokens.safetensors": .layer("bad", "input bad.input is empty (shape [0, 4])"),
        "st_zero_channels.safetensors": .layer("bad", "input bad.input is empty (shape [4, 0])"),
        "st_zero_size_huge_dims.safetensors": .layer("bad2", "is empty (shape [0, 4611686018427387904])"),
        "st_zero_out_features.safetensors": .layer("bad", "weight bad.weight is empty (shape [0, 4])"),
        "st_shared_cycle.safetensors": .layer("bad", "cycle"),
        "st_shared_deep.safetensors": .warning("nested deeper than 64"),
        "st_weight_missing_input.safetensors": .loads,
        "st_nonfinite.safetensors": .loads,
        "st_near_float_max.safetensors": .loads,
        // .npy
        "npy_empty.npy": .open("bad magic"),
        "npy_bad_magic.npy": .open("bad magic"),
        "npy_zip_magic.npy": .open("bad magic"),
        "npy_cut_in_magic.npy": .open("bad magic"),
        "npy_cut_in_preamble.npy": .open("truncated .npy preamble"),
        "npy_cut_in_header.npy": .open("runs past the end of the data (truncated)"),
        "npy_cut_after_header.npy": .open("runs past the end of the data (truncated)"),
        "npy_cut_in_data.npy": .open("needs 32 data bytes but 29 are present"),
        "npy_extra_data.npy": .open("needs 32 data bytes but 36 are present"),
        "npy_version_0.npy": .open("unsupported .npy version 0.0"),
        "npy_version_9.npy": .open("unsupported .npy version 9.0"),
        "npy_header_len_past_eof.npy": .open("header length 60000 runs past the end"),
        "npy_v2_header_len_4g.npy": .open("header length 4294967295 exceeds the 1048576-byte limit"),
        "npy_header_not_dict.npy": .open("header is not a dict"),
        "npy_header_code.npy": .open("unexpected name '__import__'"),
        "npy_header_binary.npy": .open("unexpected character"),
        "npy_header_missing_shape.npy": .open("lacks one of"),
        "npy_header_extra_key.npy": .open("unexpected or repeated key 'evil'"),
        "npy_header_repeated_key.npy": .open("unexpected or repeated key 'descr'"),
        "npy_header_unterminated.npy": .open("unterminated string"),
        "npy_header_deep.npy": .open("nested too deeply"),
        "npy_descr_unknown.npy": .open("unsupported dtype descr '<q9'"),
        "npy_descr_object.npy": .open("unsupported dtype descr '|O'"),
        "npy_descr_structured.npy": .open("structured dtypes are not supported"),
        "npy_descr_huge_itemsize.npy": .open("unsupported dtype descr"),
        "npy_descr_not_string.npy": .open("structured dtypes are not supported"),
        "npy_fortran_order.npy": .open("fortran_order True is not supported"),
        "npy_fortran_not_bool.npy": .open("'fortran_order' is not a bool"),
        "npy_shape_negative.npy": .open("negative or non-integer dimension"),
        "npy_shape_overflow.npy": .open("shape [1099511627776, 1099511627776] overflows"),
        "npy_shape_huge_int.npy": .open("integer too large"),
        "npy_shape_not_tuple.npy": .open("'shape' is not a tuple"),
        "npy_big_endian.npy": .tensor("npy_big_endian", "unsupported dtype >f4"),
        "npy_zero_size.npy": .loads,
        // .npz: the archive itself
        "npz_empty.npz": .open("too short for a zip archive (0 bytes)"),
        "npz_no_eocd.npz": .open("no zip end-of-central-directory record"),
        "npz_cut_in_member.npz": .open("no zip end-of-central-directory record"),
        "npz_cut_in_directory.npz": .open("no zip end-of-central-directory record"),
        "npz_cut_in_eocd.npz": .open("no zip end-of-central-directory record"),
        "npz_cd_offset_past_end.npz": .open("lies outside the archive"),
        "npz_cd_offset_wrong.npz": .open("is malformed"),
        "npz_count_lies_high.npz": .open("claims 1000 entries in 182 bytes"),
        "npz_count_lies_low.npz": .open("bytes after its 1 entries (entry count lies)"),
        "npz_multi_disk.npz": .open("multi-disk zip archives are not supported"),
        "npz_local_offset_wrong.npz": .open("local header at offset 5 is missing or truncated"),
        "npz_local_name_differs.npz": .open("local header names a different file"),
        "npz_local_method_differs.npz": .open("local header disagrees on the compression method"),
        "npz_encrypted.npz": .open("is encrypted"),
        "npz_method_bzip2.npz": .open("compression method 12 is not supported"),
        "npz_duplicate_member.npz": .open("appears twice"),
        "npz_overlapping_members.npz": .open("overlap"),
        "npz_stored_size_mismatch.npz": .open("stored member has compressed size 160 ≠ size 999"),
        "npz_size_over_cap.npz": .open("uncompressed size 5368709120 exceeds the 4294967296-byte limit"),
        "npz_bomb_ratio.npz": .open("declared size 1073741824 is impossible for 92 compressed bytes"),
        // .npz: one member is bad, the rest stay usable
        "npz_bad_crc_stored.npz": .layer("good", "CRC-32 mismatch"),
        "npz_bad_crc_deflated.npz": .layer("good", "CRC-32 mismatch"),
        "npz_bomb_declared_small.npz": .layer("good", "inflated size differs from the declared 160 bytes"),
        "npz_declared_larger.npz": .layer("good", "needs 32 data bytes but 36 are present"),
        "npz_declared_smaller.npz": .layer("good", "needs 32 data bytes but 28 are present"),
        "npz_corrupt_deflate.npz": .layer("good", "corrupt deflate data"),
        "npz_deflate_truncated.npz": .layer("good", "compressed data ends before the deflate stream does"),
        "npz_member_bad_npy.npz": .layer("good", "member good.input.npy: not a .npy array (bad magic)"),
        "npz_member_npy_truncated.npz": .layer("good", "needs 32 data bytes but 28 are present"),
        "npz_member_npy_deflated_bad_header.npz": .layer("good", "negative or non-integer dimension"),
        // round two: control characters in names (what is printed: ExplorerCLITests.ControlCharacterNameTests)
        "st_control_names.safetensors": .layer(evilLayer, "weight in_features 5 ≠ input in_features 4"),
        "npz_control_names.npz": .layer(evilLayer, "not a .npy array (bad magic)"),
        // round two: a small file with a large output product (ExplorerCLITests.MemoryBudgetCLITests)
        "st_long_product.safetensors": .loads,
        // round two: a 64 KB .npz inflating to 64 MB (DuQuantIOTests.StreamingReadTests)
        "npz_bomb_64m.npz": .loads,
    ]

    /// The corpus's bad layer named with every class of control character.
    static let evilLayer = "bad=HYPERLINK(\"http://x\")\u{1b}]52;c;ZXZpbA==\u{07}\u{1b}]0;pwned\u{07}\u{1b}[2J\r\nforged"
        + "\u{7f}\u{9b}31m\u{202e}\t\u{0}end"

    static var directory: String { Fixture.path("hostile") }

    static func bytes(_ file: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + file)))
    }

    @Test func everyCorpusFileHasAnExpectation() throws {
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: Self.directory))
        #expect(files.count >= 30)
        #expect(files.subtracting(Self.cases.keys).sorted() == [], "files without an expectation")
        #expect(Set(Self.cases.keys).subtracting(files).sorted() == [], "expectations without a file")
    }

    @Test("each hostile file gives its typed error", arguments: cases.keys.sorted())
    func hostileFile(file: String) throws {
        let path = Self.directory + "/" + file
        let outcome = try #require(Self.cases[file])
        let clock = ContinuousClock()
        let start = clock.now
        defer { #expect(clock.now - start < .seconds(20), "\(file) took too long") }

        // Whatever the outcome, every load must either work or throw, from disk and from memory alike.
        MutationTests.exercise(try Self.bytes(file), as: file)

        let dump: DumpFile
        do {
            dump = try DumpFile.open(path)
        } catch {
            guard case .open(let expected) = outcome else {
                Issue.record("\(file): expected \(outcome), open failed: \(error)")
                return
            }
            #expect(error.file == path)
            #expect(error.description.hasPrefix(path + ": "))
            #expect(error.description.contains(expected), "\(error)")
            #expect(!error.description.contains("\n"))
            return
        }
        func loadsEveryOtherLayer(except bad: String?) {
            // Layers with a problem of their own (the other half of a shared-input cycle, a second empty
            // tensor) are refused; every other one loads.
            for layer in dump.layers where layer.name != bad && layer.isLoadable {
                #expect(throws: Never.self, "\(file): \(layer.name)") { try dump.loadLayer(layer.name) }
            }
        }
        switch outcome {
        case .open(let expected):
            Issue.record("\(file): opened, expected it to fail with \(expected)")
        case .layer(let name, let expected):
            let info = try #require(dump.layer(named: name), "\(file) has no layer \(name)")
            _ = info
            let error = #expect(throws: DumpError.self) { try dump.loadLayer(name) }
            #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
            #expect(error?.description.hasPrefix(path + ": ") == true)
            #expect(error?.description.contains("\n") == false)
            loadsEveryOtherLayer(except: name)
            if name != "good" && file.hasPrefix("st_") && dump.layer(named: "good") != nil {
                #expect(try dump.loadLayer("good").input.storage == Fixture.grid(8))
            }
        case .tensor(let name, let expected):
            let error = #expect(throws: DumpError.self) { try dump.loadTensor(name) }
            #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        case .warning(let expected):
            #expect(dump.warnings.contains { $0.description.contains(expected) }, "\(dump.warnings)")
            loadsEveryOtherLayer(except: nil)
        case .loads:
            loadsEveryOtherLayer(except: nil)
            for t in dump.tensors { #expect(throws: Never.self) { try dump.loadTensor(t.name) } }
        }
    }

    /// Every prefix of every corpus file (a few hundred cut points each) opens or fails cleanly.
    @Test("truncations of the corpus", arguments: ["st_nonfinite.safetensors", "npz_bad_crc_deflated.npz",
                                                   "npz_bomb_declared_small.npz", "npy_big_endian.npy"])
    func truncations(file: String) throws {
        let bytes = try Self.bytes(file)
        let step = max(1, bytes.count / 300)
        for n in stride(from: 0, through: bytes.count, by: step) { MutationTests.exercise(Array(bytes[..<n]), as: file) }
    }

    @Test func zeroSizeTensorsLoadAsEmptyMatrices() throws {
        let dump = try DumpFile.open(Self.directory + "/npy_zero_size.npy")
        let m = try dump.loadTensor("npy_zero_size")
        #expect(m.rows == 0 && m.cols == 4 && m.storage.isEmpty)
        let huge = try DumpFile.open(Self.directory + "/st_zero_size_huge_dims.safetensors")
        #expect(huge.layer(named: "bad")?.problem?.contains("is empty") == true)
        #expect(try huge.loadLayer("good").weight?.rows == 3)
    }

    /// A directory of .npy files with one broken file: that tensor carries the problem, the rest load.
    @Test func npyDirectoryWithOneBrokenFile() throws {
        let dir = NSTemporaryDirectory() + "duq-hostile-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixture.path("v1_f4.npy"))))
        try Data(good).write(to: URL(fileURLWithPath: dir + "/a.input.npy"))
        try Data(try Self.bytes("npy_header_code.npy")).write(to: URL(fileURLWithPath: dir + "/b.input.npy"))
        let dump = try DumpFile.open(dir)
        #expect(try dump.loadLayer("a").input.storage == Fixture.grid(12))
        let error = #expect(throws: DumpError.self) { try dump.loadLayer("b") }
        #expect(error?.description.contains("unexpected name '__import__'") == true, "\(String(describing: error))")
    }

    @Test func unreadableMemberIsListedWithItsProblem() throws {
        let path = Self.directory + "/npz_member_bad_npy.npz"
        let dump = try DumpFile.open(path)
        let t = try #require(dump.tensor(named: "good.input"))
        #expect(t.problem?.contains("bad magic") == true)
        #expect(dump.warnings.contains { $0.description.contains("tensor \"good.input\" unreadable") })
        #expect(try dump.loadLayer("other").input.rows == 3)
        #expect(try dump.loadTensor("good.weight").rows == 3)
    }
}
