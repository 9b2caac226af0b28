#if canImport(Glibc)
import Glibc
#endif

/// One run of `export --all-layers` in its output directory: a transaction whose commit point is the
/// rename of its index into place (names: ``ExportNames``; the index: ``ExportIndex``).
///
/// 1. ``open(_:indexes:dump:sidecars:)`` checks, before any work, that no index the run may replace is
///    an input (the dump, or the dump's sidecar, present or not) or anything but an export's index, then
///    creates the directory when missing and takes the lock shared.
/// 2. ``beginGeneration(named:)`` makes (or joins, for a run of the same set) the set's `run-<hex>/`; the
///    run's layer files go there (``path(of:)``) only where no file was, the others to a second, new
///    generation (``beginFallback()``), so they never land on anything that was there before.
/// 3. ``commit(_:as:)`` syncs the generation, writes the index atomically (temporary file, sync, rename)
///    and syncs the directory: after it the index is in place and every file it names is on disk; before
///    it the previous index and its files are as they were. On any failure before the commit,
///    ``abandon()`` removes the files the run wrote (and its generation, if it made it and nothing is left).
/// 4. ``collectGarbage(wholeCommitted:)`` removes generations no index names, only while the lock can
///    be taken exclusively (no other run, and no reader holding the lock, is in the directory).
///
/// ```swift
/// let out = try ExportDirectory.open("t", indexes: ["index.json"], dump: "d.safetensors", sidecars: ["d.json"])
/// try out.beginGeneration(named: "run-9c41d0a2b3e4f5a6")
/// try writer.write(to: out.path(of: "0001-q_proj-1a2b3c4d.safetensors"))
/// try out.commit(index, as: "index.json")
/// _ = out.collectGarbage(wholeCommitted: true)
/// ```
package final class ExportDirectory {
    /// The directory, as the caller named it.
    package let path: String
    /// This run's generation directory's name, once begun.
    package private(set) var generation: String?
    private var lockFD: Int32
    /// Whether the shared lock is held (not on a file system without locks: nothing is then collected).
    private let locked: Bool
    /// Whether an index of this run is in place (then ``abandon()`` does nothing).
    package private(set) var committed = false
    /// Whether this run made its generation (rather than joined one another run of the same set made).
    private var madeGeneration = false
    /// The second generation, when a file of the joined one could not be kept (``beginFallback()``).
    package private(set) var fallback: String?
    /// The layer files this run wrote, relative to the directory.
    private var written: [String] = []
    /// Device and inode of the dump and its sidecar: never removed, whatever their names.
    private let inputs: [(dev_t, ino_t)]

    private init(path: String, lockFD: Int32, locked: Bool, inputs: [(dev_t, ino_t)]) {
        self.path = path
        self.lockFD = lockFD
        self.locked = locked
        self.inputs = inputs
    }

    deinit { close() }

    /// Releases the lock (also on deinit).
    package func close() {
        if lockFD >= 0 { _ = Glibc.close(lockFD) }
        lockFD = -1
    }

    /// Checks `dir` for a run that may replace the indexes `indexes` (file names in `dir`), creates it
    /// when missing and takes the lock shared. Throws, having written nothing, when `dir` is not a
    /// directory (a symbolic link included) or an index is the `dump`, one of its `sidecars` (present or
    /// where the dump would look for one) or an existing file that is not an export's index.
    package static func open(_ dir: String, indexes: [String], dump: String, sidecars: [String]) throws(DumpError) -> ExportDirectory {
        var st = stat()
        // A missing directory is made (and then holds nothing to check); one made meanwhile is checked.
        while lstat(dir, &st) != 0 {
            guard errno == ENOENT else { throw DumpError(file: dir, message: String(cString: strerror(errno))) }
            if mkdir(dir, 0o777) == 0 { break }
            guard errno == EEXIST else { throw DumpError(file: dir, message: String(cString: strerror(errno))) }
        }
        if (st.st_mode & S_IFMT) != 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw DumpError(file: dir, message: "not a directory (--all-layers writes one file per layer into -o DIR)")
            }
            for name in indexes { try checkIndex(name, in: dir, dump: dump, sidecars: sidecars) }
        }
        let lockPath = dir + "/" + ExportNames.lock
        let fd = Glibc.open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            let why = errno == ELOOP ? "is a symbolic link" : String(cString: strerror(errno))
            throw DumpError(file: lockPath, message: "cannot open the export's lock file: \(why)")
        }
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            _ = Glibc.close(fd)
            throw DumpError(file: lockPath, message: "is not a regular file (the export's lock file); move it away")
        }
        var status: Int32
        repeat { status = flock(fd, LOCK_SH) } while status != 0 && errno == EINTR
        let inputs = ([dump] + sidecars).compactMap { p -> (dev_t, ino_t)? in
            var s = stat()
            return stat(p, &s) == 0 ? (s.st_dev, s.st_ino) : nil
        }
        return ExportDirectory(path: dir, lockFD: fd, locked: status == 0, inputs: inputs)
    }

    /// Throws unless the run may replace `dir/name` (see ``open(_:indexes:dump:sidecars:)``).
    static func checkIndex(_ name: String, in dir: String, dump: String, sidecars: [String]) throws(DumpError) {
        let target = dir + "/" + name
        let advice = "--all-layers would replace it; choose another -o DIR"
        for s in sidecars where sameFile(target, s) || (baseName(s) == name && sameFile(directoryName(s), dir)) {
            throw DumpError(file: target, message: exists(s) ? "is the input dump's sidecar\(s == target ? "" : " (\(s))"); \(advice)"
                : "is where the input dump's sidecar is read from; writing the index there would give the dump a sidecar; choose another -o DIR")
        }
        guard exists(target, following: false) else { return }
        if sameFile(target, dump) { throw DumpError(file: target, message: "is the input dump; \(advice)") }
        try OutputFile.checkTarget(target)
        guard let bytes = readSmall(target, limit: ExportIndex.maxBytes), ExportIndex.parse(bytes) != nil else {
            throw DumpError(file: target, message: "exists and is not an export's index; \(advice) (or move the file)")
        }
    }

    /// Makes this run's generation directory: `name` (``ExportNames/generation(for:)``), made or, when
    /// another run of the same set made it, joined; without a name, a new `run-<random hex>`.
    ///
    /// A joined generation may hold files of earlier runs of the same set (the index names them, or a
    /// killed run left them): the run keeps those it can (``ExportCommand``'s check of their metadata)
    /// and never writes over one it cannot (see ``beginFallback()``).
    package func beginGeneration(named name: String? = nil) throws(DumpError) {
        if let name {
            if mkdir(path + "/" + name, 0o777) == 0 {
                generation = name
                madeGeneration = true
                return
            }
            var st = stat()
            guard errno == EEXIST, lstat(path + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                throw DumpError(file: path + "/" + name, message: "cannot make the directory for the layer files: "
                    + (errno == EEXIST ? "it exists and is not a directory" : String(cString: strerror(errno))))
            }
            generation = name
            return
        }
        generation = try Self.makeNewGeneration(in: path)
        madeGeneration = true
    }

    /// Makes a second, new generation (`run-<random hex>`) for the layer files that cannot go to the
    /// joined one (a file there of the same name that this run may not keep: it is never written over).
    package func beginFallback() throws(DumpError) -> String {
        if let fallback { return fallback }
        let name = try Self.makeNewGeneration(in: path)
        fallback = name
        return name
    }

    static func makeNewGeneration(in path: String) throws(DumpError) -> String {
        for _ in 0..<16 {
            let name = ExportNames.newGeneration()
            if mkdir(path + "/" + name, 0o777) == 0 { return name }
            guard errno == EEXIST else { break }
        }
        throw DumpError(file: path, message: "cannot make a directory for the layer files: \(String(cString: strerror(errno)))")
    }

    /// Where this run writes the layer file `file`.
    package func path(of file: String) -> String { path + "/" + (generation.map { $0 + "/" } ?? "") + file }

    /// The name the index records for the layer file `file` (relative to the directory).
    package func indexed(_ file: String) -> String { (generation.map { $0 + "/" } ?? "") + file }

    /// Records that this run wrote `relative` (a path relative to the directory): what ``abandon()`` removes.
    package func wrote(_ relative: String) { written.append(relative) }

    /// Makes `index` this run's result under `name`: syncs the generation, writes the index atomically and
    /// syncs the directory. Once the rename is done, ``abandon()`` leaves the files alone.
    package func commit(_ index: ExportIndex, as name: String) throws(DumpError) {
        if let generation, !committed { try OutputFile.syncDirectory(path + "/" + generation) }
        if let fallback, !committed { try OutputFile.syncDirectory(path + "/" + fallback) }
        try OutputFile.write(index.rendered(), to: path + "/" + name)
        committed = true
        try OutputFile.syncDirectory(path)
    }

    /// Removes the layer files this run wrote (not those it kept from an earlier run, nor any an index
    /// names: a run of the same set at the same time may have committed the same file), then its
    /// generation directories if it made them and they are empty; nothing once an index was committed.
    package func abandon() {
        guard !committed, let generation else { return }
        var named: Set<String> = []
        for e in Self.list(path) ?? [] where e == ExportNames.index || ExportNames.parsePartIndex(e) != nil {
            guard let bytes = Self.readSmall(path + "/" + e, limit: ExportIndex.maxBytes), let index = ExportIndex.parse(bytes) else { continue }
            named.formUnion(index.layers.map(\.file))
        }
        for file in written where !named.contains(file) && !isInput(path + "/" + file) { unlink(path + "/" + file) }
        if madeGeneration {
            for e in Self.list(path + "/" + generation) ?? [] where ExportNames.isTemporary(e) { unlink(path + "/" + generation + "/" + e) }
            rmdir(path + "/" + generation)
        }
        if let fallback { rmdir(path + "/" + fallback) }
        written = []
        self.generation = nil
        self.fallback = nil
    }

    /// Layer → file of the directory's `index.json` (of this format), for the files of the export's own
    /// naming in a generation (`run-<16 hex>/<layer file>`): what a run may keep when the file at its own
    /// name is not there. Empty when there is no such index.
    package static func committedFiles(in dir: String) -> [String: String] {
        guard let bytes = readSmall(dir + "/" + ExportNames.index, limit: ExportIndex.maxBytes),
              let index = ExportIndex.parse(bytes), !index.legacy else { return [:] }
        var files: [String: String] = [:]
        for layer in index.layers {
            let parts = layer.file.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, ExportNames.isGeneration(String(parts[0])), ExportNames.isLayerFile(String(parts[1])) else { continue }
            files[layer.name] = layer.file
        }
        return files
    }

    /// Every part-index of `n` shards in the directory that is of this format (unreadable ones left out).
    package func partIndexes(of n: Int) -> [ExportIndex] {
        (1...n).compactMap { k in
            Self.readSmall(path + "/" + ExportNames.partIndex(k, of: n), limit: ExportIndex.maxBytes).flatMap(ExportIndex.parse)
        }.filter { !$0.legacy }
    }

    /// Removes the layer files (and temporary files of them) in generation `name` and then the directory;
    /// false when something else is left in it (the directory is then kept) or it could not be read.
    func removeGeneration(_ name: String) -> Bool {
        let dir = path + "/" + name
        guard let entries = Self.list(dir) else { return false }
        for e in entries where ExportNames.isLayerFile(e) || ExportNames.isTemporary(e) {
            var st = stat()
            guard lstat(dir + "/" + e, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
                  !inputs.contains(where: { $0.0 == st.st_dev && $0.1 == st.st_ino }) else { continue }
            unlink(dir + "/" + e)
        }
        return rmdir(dir) == 0
    }

    /// Whether `path` is one of the run's inputs (the dump or its sidecar).
    func isInput(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && inputs.contains { $0.0 == st.st_dev && $0.1 == st.st_ino }
    }

    /// Tries the lock exclusively without waiting (see ``collectGarbage(wholeCommitted:)``).
    func lockExclusively() -> Bool {
        locked && flock(lockFD, LOCK_EX | LOCK_NB) == 0
    }

    // MARK: - File helpers

    /// The names in directory `dir` (without `.` and `..`), or nil when it cannot be read.
    static func list(_ dir: String) -> [String]? {
        guard let d = opendir(dir) else { return nil }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: &e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The whole of the regular file `path` (links not followed), or nil when it is not one, cannot be read
    /// or is larger than `limit`.
    static func readSmall(_ path: String, limit: Int) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size <= limit else { return nil }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var offset = 0
        while offset < out.count {
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            offset += n
        }
        return out
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    static func exists(_ path: String, following: Bool = true) -> Bool {
        var st = stat()
        return (following ? stat(path, &st) : lstat(path, &st)) == 0
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }

    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
