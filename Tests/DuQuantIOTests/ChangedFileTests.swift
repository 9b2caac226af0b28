import DuQuantCore
import Foundation
import Testing
@testable import DuQuantIO

/// A dump truncated, rewritten or replaced while it is open (issue 10, item 4).
@Suite struct ChangedFileTests {
    /// A fresh safetensors dump of 256×1024 float32 values (1 MB) with layer `a`, and its path.
    static func makeDump() throws -> (dir: String, path: String) {
        let dir = NSTemporaryDirectory() + "duquant-changed-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        var w = SafetensorsWriter()
        try w.add("a.input", Matrix(rows: 256, cols: 1024, storage: (0..<(256 * 1024)).map { Float($0 % 97) }))
        try w.add("b.input", Matrix(rows: 2, cols: 4, storage: [1, 2, 3, 4, 5, 6, 7, 8]))
        let path = dir + "/dump.safetensors"
        try w.write(to: path)
        return (dir, path)
    }

    /// Regression: `list` of a dump truncated while it ran died of SIGBUS ("Bus error", exit 135), and the
    /// explorer did the same when the open file was overwritten and another layer opened: the data was
    /// read through the mapping. Now the file is re-checked before a layer is read, and read with `pread`.
    @Test func issue10_truncatedWhileOpenIsAnErrorNotSIGBUS() throws {
        let (dir, path) = try Self.makeDump()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dump = try DumpFile.open(path)
        #expect(truncate(path, 4096) == 0)
        let error = #expect(throws: DumpError.self) { try dump.loadLayer("a") }
        #expect(error?.description.hasPrefix("\(path): changed while reading (its size went from ") == true,
                "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func rewrittenInPlaceOrReplacedIsAnError() throws {
        let (dir, path) = try Self.makeDump()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dump = try DumpFile.open(path)
        #expect(try dump.loadLayer("b").input.storage == [1, 2, 3, 4, 5, 6, 7, 8])
        // Same size, new contents (and a later modification time).
        usleep(20_000)
        let fd = open(path, O_WRONLY)
        var junk = [UInt8](repeating: 0xFF, count: 64)
        #expect(pwrite(fd, &junk, 64, 4096) == 64)
        close(fd)
        let modified = #expect(throws: DumpError.self) { try dump.loadLayer("b") }
        #expect(modified?.description.contains("changed while reading (it was modified)") == true, "\(String(describing: modified))")
        // Another file renamed over the name.
        let (dir2, other) = try Self.makeDump()
        defer { try? FileManager.default.removeItem(atPath: dir2) }
        let again = try DumpFile.open(path)
        #expect(rename(other, path) == 0)
        let replaced = #expect(throws: DumpError.self) { try again.loadLayer("b") }
        #expect(replaced?.description.contains("another file now has its name") == true, "\(String(describing: replaced))")
    }

    /// The last line of defence, when the file shrinks between the check and the read: `pread` comes back
    /// short and that is an error too.
    @Test func shortReadIsAnError() throws {
        let (dir, path) = try Self.makeDump()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try MappedFile(path: path)
        #expect(truncate(path, 100) == 0)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1000, alignment: 8)
        defer { buffer.deallocate() }
        let error = #expect(throws: DumpError.self) { try file.read(0..<1000, into: buffer) }
        #expect(error?.description.contains("changed while reading (it ended 100 bytes in") == true, "\(String(describing: error))")
    }

    /// A dump whose header spans many pages (`count` small tensors, a header of about 70 bytes each).
    static func makeLongHeaderDump(count: Int) throws -> (dir: String, path: String) {
        let dir = NSTemporaryDirectory() + "duquant-changed-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        var w = SafetensorsWriter()
        for i in 0..<count { try w.add("model.layers.\(i).mlp.down_proj.input", Matrix(rows: 1, cols: 2, storage: [1, 2])) }
        let path = dir + "/long.safetensors"
        try w.write(to: path)
        return (dir, path)
    }

    /// Regression: the headers are parsed through a mapping, so a file cut short between open and parse
    /// (a window of seconds for a header of a million tensors) raised SIGBUS in the parser. The mapping is
    /// now guarded: lost pages read as zeros, and the open reports the file as changed.
    @Test func issue10_headerCutShortWhileParsedIsAnErrorNotSIGBUS() throws {
        let (dir, path) = try Self.makeLongHeaderDump(count: 3_000)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try MappedFile(path: path)
        #expect(file.bytes.count > 100_000)
        #expect(truncate(path, 4096) == 0)
        // Without the guard, touching the header's lost pages ends the test process here.
        let error = #expect(throws: DumpError.self) { try DumpFile.open(file: file, sidecar: nil, warnings: []) }
        #expect(error?.description.hasPrefix("\(path): changed while reading (its size went from ") == true,
                "\(String(describing: error))")
        #expect(file.bytes.isEmpty, "the headers are unmapped once parsed")
    }

    /// The guard itself: a lost page reads as zeros and is counted, even when the file then grows back to
    /// its old size (same size, so only the count tells).
    @Test func aLostPageReadsAsZerosAndIsCounted() throws {
        let (dir, path) = try Self.makeLongHeaderDump(count: 3_000)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try MappedFile(path: path)
        let size = file.bytes.count
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(truncate(path, 4096) == 0)
        let last = file.bytes[size - 1]
        #expect(last == 0)
        // Grown back, with the old modification time: the identity check alone would pass.
        #expect(truncate(path, off_t(size)) == 0)
        var times = [st.st_atim, st.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let error = #expect(throws: DumpError.self) { try file.finishHeaders() }
        #expect(error?.description.contains("changed while reading (it was cut short while its headers were read)") == true,
                "\(String(describing: error))")
    }

    /// A good file opens as before, and its headers are unmapped once parsed (data is read with `pread`).
    @Test func headersAreUnmappedAfterOpen() throws {
        let (dir, path) = try Self.makeDump()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dump = try DumpFile.open(path)
        #expect(try dump.loadLayer("b").input.storage == [1, 2, 3, 4, 5, 6, 7, 8])
    }
}
