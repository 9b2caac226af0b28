#if canImport(Glibc)
import ExplorerCLI
import Glibc
#endif
import DuQuantCore
import DuQuantIO
import Foundation
import SyntheticLayers

/// The "first frame of a large dump" probe: writes a multi-GB synthetic safetensors file, then
/// times opening it, loading its first layer and computing that layer's headline statistics.
///
/// The file is written one layer at a time (only one layer's bytes in memory), so the process's peak
/// resident set before opening shows what the bench itself holds; after the first frame it should
/// have grown by about one layer, not by the file.
enum BenchLargeFile {
    /// What the probe measured.
    struct Result {
        var fileBytes: Int
        var layers: Int
        var writeSeconds: Double
        var coldSeconds: Double
        var warmSeconds: Double
        var openSeconds: Double
        var loadSeconds: Double
        var statsSeconds: Double
        var maxRSSStart: Int
        var maxRSSBefore: Int
        var maxRSSAfter: Int
        var rssAfter: Int?
        var layerFloatBytes: Int
        var evicted: Bool
    }

    /// Runs the probe in a temporary directory, deleting the file afterwards.
    static func run(layers: Int, tokens: Int, channels: Int, runs: Int) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duquant-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("large.safetensors").path

        let start = BenchClock.maxRSS()
        let writeSeconds = try BenchClock.timeThrowing { try write(path: path, layers: layers, tokens: tokens, channels: channels) }
        let evicted = evictFromPageCache(path)
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

        let before = BenchClock.maxRSS()
        var open = 0.0, load = 0.0, stats = 0.0
        func firstFrame() throws -> Double {
            var dump: DumpFile? = nil, layer: LayerData? = nil
            open = try BenchClock.timeThrowing { dump = try DumpFile.open(path) }
            let first = dump!.layers.first { $0.isLoadable }!.name
            load = try BenchClock.timeThrowing { layer = try dump!.loadLayer(first) }
            stats = BenchClock.time { _ = ActivationStats.of(layer!.input) }
            return open + load + stats
        }
        let cold = try firstFrame()
        let after = BenchClock.maxRSS()
        let rssAfter = BenchClock.currentRSS()
        var warm: [Double] = []
        for _ in 0..<max(1, runs) { warm.append(try firstFrame()) }
        return Result(fileBytes: fileBytes, layers: layers, writeSeconds: writeSeconds, coldSeconds: cold,
                      warmSeconds: BenchClock.median(warm), openSeconds: open, loadSeconds: load, statsSeconds: stats,
                      maxRSSStart: start, maxRSSBefore: before, maxRSSAfter: after, rssAfter: rssAfter,
                      layerFloatBytes: tokens * channels * 4, evicted: evicted)
    }

    /// Tokens per generated slab: the file is written slab by slab, so writing never holds a layer.
    static let slabTokens = 128

    /// Streams `layers` f16 inputs of tokens × channels into a safetensors file. Each layer is the
    /// same sequence of synthetic 128-token slabs (every slab with its own outliers and massive
    /// tokens); only the first layer is ever read, and only the slabs (as f16) are held in memory.
    static func write(path: String, layers: Int, tokens: Int, channels: Int) throws {
        let slabCount = (tokens + slabTokens - 1) / slabTokens
        let slabs: [[UInt16]] = (0..<slabCount).map { k in
            let n = min(slabTokens, tokens - k * slabTokens)
            let x = SyntheticLayer.activation(tokens: n, channels: channels, seed: 7 &+ UInt64(k))
            return x.storage.map { Float16($0).bitPattern.littleEndian }
        }
        let layerBytes = tokens * channels * 2
        var entries: [String] = []
        for l in 0..<layers {
            let name = "model.layers.\(l).mlp.down_proj.input"
            entries.append("\"\(name)\":{\"dtype\":\"F16\",\"shape\":[\(tokens),\(channels)],\"data_offsets\":[\(l * layerBytes),\((l + 1) * layerBytes)]}")
        }
        var header = Array(("{\"__metadata__\":{\"format\":\"pt\"}," + entries.joined(separator: ",") + "}").utf8)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot create \(path)") }
        defer { close(fd) }
        var prefix: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { prefix += $0 }
        prefix += header
        try writeAll(fd, prefix)
        for _ in 0..<layers { for slab in slabs { try slab.withUnsafeBytes { try writeAll(fd, $0) } } }
        fsync(fd)
    }

    /// Asks the kernel to drop the file's cached pages so the first open reads from disk.
    static func evictFromPageCache(_ path: String) -> Bool {
        let fd = Glibc.open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0) }
    }

    static func writeAll(_ fd: Int32, _ buf: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < buf.count {
            let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw CLIError("write failed: \(String(cString: strerror(errno)))") }
            off += n
        }
    }
}
