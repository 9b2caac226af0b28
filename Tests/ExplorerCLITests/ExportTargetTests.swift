import DuQuantIO
import Foundation
import Testing
@testable import ExplorerCLI

/// What `export -o` may write onto (issue 10, item 6).
@Suite struct ExportTargetTests {
    static let dump = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../tests/e2e/fixtures/tiny.safetensors").standardized.path

    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "duquant-export-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        return dir
    }

    static func mode(_ path: String) -> mode_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : nil
    }

    static func export(to out: String) -> CLIError? {
        #expect(throws: CLIError.self) {
            try CLI.dispatch(["export", dump, "--layer", "q_proj", "--steps", "2", "-o", out])
        }
    }

    /// Regression: `export -o NODE` replaced a character device, a FIFO or a symbolic link with a regular
    /// file and exited 0 (as root, `-o /dev/null` would destroy the system's node). Each is now refused,
    /// exit status 2, and left as it was.
    @Test func issue10_exportRefusesNonRegularTargets() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/fifo", 0o644) == 0)
        try "kept".write(toFile: dir + "/target", atomically: false, encoding: .utf8)
        #expect(symlink("target", dir + "/link") == 0)
        mkdir(dir + "/sub", 0o755)
        // A character device of our own (the same numbers as /dev/null), where we may make one (root).
        // glibc's makedev(1, 3) (a macro Swift does not import): major in bits 8…19, minor in 0…7.
        let device = mknod(dir + "/null", S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0
        for (name, expected) in [("fifo", "is not a regular file"), ("link", "is a symbolic link"), ("sub", "is a directory")]
            + (device ? [("null", "is not a regular file")] : []) {
            let before = Self.mode(dir + "/" + name)
            let error = Self.export(to: dir + "/" + name)
            #expect(error?.message.contains(expected) == true, "\(name): \(String(describing: error))")
            #expect(Self.mode(dir + "/" + name) == before, "\(name) was replaced")
        }
        #expect(try String(contentsOfFile: dir + "/target", encoding: .utf8) == "kept")
        #expect(CLI.run(["export", Self.dump, "--layer", "q_proj", "-o", dir + "/fifo"]) == 2)
        // Nothing else appeared (no temporary files).
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == (["fifo", "link", "sub", "target"] + (device ? ["null"] : [])).sorted())
    }

    @Test func exportReplacesARegularFileAndLeavesNoTemporaryFile() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "old".write(toFile: dir + "/out.safetensors", atomically: false, encoding: .utf8)
        _ = try CLI.dispatch(["export", Self.dump, "--layer", "q_proj", "--steps", "2", "-o", dir + "/out.safetensors"])
        _ = try CLI.dispatch(["export", Self.dump, "--layer", "q_proj", "--steps", "2", "-o", dir + "/new.safetensors"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["new.safetensors", "out.safetensors"])
        #expect(try DumpFile.open(dir + "/out.safetensors").tensors.count > 0)
        // The fallback for file systems without O_TMPFILE: a named temporary file, renamed into place.
        try OutputFile.write(Array("fallback".utf8), to: dir + "/fb", unnamedFirst: false)
        #expect(try String(contentsOfFile: dir + "/fb", encoding: .utf8) == "fallback")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).count == 3)
    }
}
