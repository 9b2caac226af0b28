#if canImport(Glibc)
import Glibc
#endif
import Foundation

extension DumpFile {
    /// Opens the dump at `path`, choosing the reader by what is there.
    ///
    /// A directory is read as `.npy` files; a file starting with the .npy magic as one array; one
    /// starting with a zip signature as `.npz`; a `.npy`/`.npz` name with the wrong magic is an error;
    /// anything else is read as safetensors. The sidecar (see `Sidecar`) is picked up if present.
    public static func open(_ path: String) throws(DumpError) -> DumpFile {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw DumpError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        var warnings: [DumpError] = []
        let sidecar = loadSidecar(for: path, isDirectory: isDirectory, warnings: &warnings)
        if isDirectory {
            return DumpFile(path: path, format: .npyDirectory, entries: try openNpyDirectory(path),
                            metadata: [:], sidecar: sidecar, warnings: warnings)
        }
        return try open(file: try MappedFile(path: path), sidecar: sidecar, warnings: warnings)
    }

    /// Runs `parse` on a freshly mapped file, then ends its header phase (``MappedFile/finishHeaders()``):
    /// a file that changed meanwhile is reported as changed, whatever the parse made of it.
    static func parsingHeaders<T>(of file: MappedFile, _ parse: () throws(DumpError) -> T) throws(DumpError) -> T {
        let result: Result<T, DumpError>
        do throws(DumpError) { result = .success(try parse()) } catch { result = .failure(error) }
        try file.finishHeaders()
        return try result.get()
    }

    /// Opens an in-memory file as if it were at `path` (no sidecar): the entry point for fuzzing.
    package static func open(contents: [UInt8], path: String) throws(DumpError) -> DumpFile {
        try open(file: MappedFile(copying: contents, path: path), sidecar: nil, warnings: [])
    }

    static func open(file: MappedFile, sidecar: Sidecar?, warnings: [DumpError]) throws(DumpError) -> DumpFile {
        try parsingHeaders(of: file) { () throws(DumpError) in try parse(file: file, sidecar: sidecar, warnings: warnings) }
    }

    private static func parse(file: MappedFile, sidecar: Sidecar?, warnings: [DumpError]) throws(DumpError) -> DumpFile {
        let path = file.path
        let r = ByteReader(bytes: file.bytes)
        let lower = path.lowercased()
        if r.matches(NpyHeader.magic) || lower.hasSuffix(".npy") {
            let entry = try openNpy(file, name: tensorName(fromFile: path))
            return DumpFile(path: path, format: .npy, entries: [entry], metadata: [:], sidecar: sidecar, warnings: warnings)
        }
        if r.matches([0x50, 0x4B, 0x03, 0x04]) || r.matches([0x50, 0x4B, 0x05, 0x06]) || lower.hasSuffix(".npz") {
            return DumpFile(path: path, format: .npz, entries: try openNpz(file), metadata: [:], sidecar: sidecar, warnings: warnings)
        }
        let header: SafetensorsHeader
        do throws(FormatError) { header = try SafetensorsHeader.parse(file.bytes) } catch { throw error.in(path) }
        let entries = header.entries.map { ($0.info, TensorSource(file: file, storage: .plain($0.range))) }
        return DumpFile(path: path, format: .safetensors, entries: entries, metadata: header.metadata,
                        sidecar: sidecar, warnings: warnings)
    }

    /// `dir/a.b.npy` → `a.b`.
    static func tensorName(fromFile path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return base.lowercased().hasSuffix(".npy") ? String(base.dropLast(4)) : base
    }

    static func openNpy(_ file: MappedFile, name: String) throws(DumpError) -> (TensorInfo, TensorSource) {
        let h: NpyHeader
        do throws(FormatError) { h = try NpyHeader.parse(file.bytes) } catch { throw error.in(file.path) }
        let info = TensorInfo(name: name, dtype: h.dtype, shape: h.shape, byteCount: h.byteCount)
        return (info, TensorSource(file: file, storage: .plain(h.dataOffset..<(h.dataOffset + h.byteCount))))
    }

    static func openNpyDirectory(_ path: String) throws(DumpError) -> [(TensorInfo, TensorSource)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw DumpError(file: path, message: "cannot list directory: \(error.localizedDescription)")
        }
        let base = path.hasSuffix("/") ? path : path + "/"
        var entries: [(TensorInfo, TensorSource)] = []
        for n in names.sorted() where n.lowercased().hasSuffix(".npy") && !n.hasPrefix(".") {
            // One unreadable file is listed with its problem; the others stay usable.
            let name = tensorName(fromFile: n)
            do throws(DumpError) {
                let file = try MappedFile(path: base + n)
                entries.append(try parsingHeaders(of: file) { () throws(DumpError) in try openNpy(file, name: name) })
            } catch {
                entries.append((.unreadable(name, problem: error.message),
                                TensorSource(file: MappedFile(copying: [], path: base + n), storage: .unreadable)))
            }
        }
        guard !entries.isEmpty else { throw DumpError(file: path, message: "directory has no .npy files") }
        return entries
    }

    /// Members `x.npy` become tensors `x`; members without the `.npy` suffix are skipped.
    static func openNpz(_ file: MappedFile) throws(DumpError) -> [(TensorInfo, TensorSource)] {
        let zip: ZipArchive
        do throws(FormatError) { zip = try ZipArchive.parse(file.bytes) } catch { throw error.in(file.path) }
        var entries: [(TensorInfo, TensorSource)] = []
        for m in zip.members where m.name.lowercased().hasSuffix(".npy") {
            let name = String(m.name.dropLast(4))
            // A member whose .npy header is malformed is listed with its problem (like a bad CRC, found
            // later); the archive's other members stay usable.
            let header: NpyHeader
            do throws(FormatError) {
                header = try npyHeader(of: m, in: file)
            } catch {
                entries.append((.unreadable(name, problem: "member \(m.name): \(error.message)"),
                                TensorSource(file: file, storage: .unreadable)))
                continue
            }
            let info = TensorInfo(name: name, dtype: header.dtype, shape: header.shape, byteCount: header.byteCount)
            entries.append((info, TensorSource(file: file, storage: .zipMember(m, dataOffset: header.dataOffset))))
        }
        return entries
    }

    /// Reads a member's .npy header, inflating only as much as the header needs.
    static func npyHeader(of m: ZipArchive.Member, in file: MappedFile) throws(FormatError) -> NpyHeader {
        guard let compressed = ByteReader(bytes: file.bytes).slice(m.dataRange.lowerBound, m.dataRange.count) else {
            throw FormatError("data out of range")
        }
        if m.method == 0 { return try NpyHeader.parse(compressed, totalSize: m.uncompressedSize) }
        // Inflate a first slice; if the header is longer, inflate again just far enough.
        var want = min(m.uncompressedSize, 4096)
        for _ in 0..<2 {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(want, 1), alignment: 16)
            defer { buffer.deallocate() }
            let inflater = try Inflater(compressed)
            let n = try inflater.inflate(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
            let prefix = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            if let end = NpyHeader.headerEnd(ByteReader(bytes: prefix)), end > n, n == want,
               end <= m.uncompressedSize, end <= NpyHeader.maxHeaderBytes + 12 {
                want = end
                continue
            }
            return try NpyHeader.parse(prefix, totalSize: m.uncompressedSize)
        }
        throw FormatError("could not read the .npy header")
    }

    /// The first sidecar candidate that exists, read; a refused or malformed one, and every entry left
    /// out of it, become warnings.
    static func loadSidecar(for path: String, isDirectory: Bool, warnings: inout [DumpError]) -> Sidecar? {
        for candidate in Sidecar.candidates(for: path, isDirectory: isDirectory) where candidate != path {
            var st = stat()
            guard stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            let (sidecar, problems) = Sidecar.read(path: candidate)
            warnings += problems
            return sidecar
        }
        return nil
    }
}
