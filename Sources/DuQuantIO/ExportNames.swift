/// The names `export --all-layers` gives what it writes in its output directory, and the patterns by
/// which it recognises its own files (nothing else there is ever removed).
///
/// ```
/// DIR/index.json                                   the commit point (whole set)
/// DIR/index-K-of-N.json                            a shard's part-index
/// DIR/.duquant-export.lock                         the lock runs share (holds no data)
/// DIR/run-<16 hex>/                                one run's generation of layer files
/// DIR/run-<16 hex>/<position>-<stem>-<hash>.safetensors
/// ```
///
/// A layer's file name is its 1-based position in the dump's list of usable layers (at least four
/// digits), a readable stem (the name's first 48 characters, each outside `[A-Za-z0-9._-]` replaced by
/// `_`) and 8 hex digits of the FNV-1a hash of the name's exact UTF-8 bytes: at most 90 bytes of
/// `[A-Za-z0-9._-]`, whatever the layer is called (a NUL, `/`, `..`, control characters, 10 000
/// characters). The position alone makes the names of one run distinct; the index maps layer → file.
///
/// ```swift
/// ExportNames.layerFile(position: 3, width: 4, name: "model.layers.0/mlp")  // 0003-model.layers.0_mlp-2940b152.safetensors
/// ```
package enum ExportNames {
    /// The whole set's index: the commit point readers follow.
    package static let index = "index.json"
    /// The lock every run holds shared, and the collector exclusive.
    package static let lock = ".duquant-export.lock"
    /// The longest readable stem of a layer file name, in characters.
    static let stemLength = 48
    static let portable = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".utf8)

    /// Shard `k` of `n`'s part-index: `index-K-of-N.json`.
    package static func partIndex(_ k: Int, of n: Int) -> String { "index-\(k)-of-\(n).json" }

    /// `(k, n)` when `name` is a part-index name (`index-K-of-N.json`, no leading zeros, 1 ≤ K ≤ N).
    package static func parsePartIndex(_ name: String) -> (k: Int, n: Int)? {
        guard name.hasPrefix("index-"), name.hasSuffix(".json") else { return nil }
        let middle = name.dropFirst(6).dropLast(5).split(separator: "-", omittingEmptySubsequences: false)
        guard middle.count == 3, middle[1] == "of", let k = number(middle[0]), let n = number(middle[2]), k <= n else { return nil }
        return (k, n)
    }

    /// A new generation directory name: `run-` and 16 random hex digits.
    package static func newGeneration() -> String {
        "run-" + hex(UInt64.random(in: 0...UInt64.max), digits: 16)
    }

    /// The generation of the set that `key` describes: `run-` and the 16 hex digits of its 64-bit FNV-1a
    /// hash. Every run of the same key (the binary, the method, the parameters, the dump and its stamp:
    /// see ``ExportCommand``) writes into the same generation, so one machine, N shards or N machines
    /// give the same names, and a rerun finds the files it can keep.
    package static func generation(for key: String) -> String {
        "run-" + hex(Fingerprint.of(key), digits: 16)
    }

    /// Whether `name` is a generation directory's name.
    package static func isGeneration(_ name: String) -> Bool {
        name.utf8.count == 20 && name.hasPrefix("run-") && name.utf8.dropFirst(4).allSatisfy(isLowerHex)
    }

    /// The file name of the layer at 1-based `position` (zero-padded to `width` digits) called `name`.
    package static func layerFile(position: Int, width: Int, name: String) -> String {
        let digits = String(position)
        let pad = String(repeating: "0", count: max(0, width - digits.count))
        var stem = ""
        for u in name.unicodeScalars.prefix(stemLength) {
            stem.unicodeScalars.append(u.isASCII && portable.contains(UInt8(u.value)) ? u : "_")
        }
        return "\(pad)\(digits)-\(stem)-\(hash(name)).safetensors"
    }

    /// Whether `name` has the form of a layer file (see ``layerFile(position:width:name:)``).
    package static func isLayerFile(_ name: String) -> Bool {
        guard name.hasSuffix(".safetensors") else { return false }
        let body = Array(name.utf8.dropLast(12))
        guard let first = body.firstIndex(of: UInt8(ascii: "-")), let last = body.lastIndex(of: UInt8(ascii: "-")),
              first < last, (4...20).contains(first), body[..<first].allSatisfy({ (48...57).contains($0) }),
              body.count - last - 1 == 8, body[(last + 1)...].allSatisfy(isLowerHex) else { return false }
        let stem = body[(first + 1)..<last]
        return stem.count <= stemLength && stem.allSatisfy(portable.contains)
    }

    /// Whether `name` is a temporary file `OutputFile` may leave for a layer file when killed
    /// (`.<layer file>.tmp-…`, only where the file system lacks unnamed files).
    package static func isTemporary(_ name: String) -> Bool {
        guard name.hasPrefix("."), let r = name.range(of: ".safetensors.tmp-") else { return false }
        return isLayerFile(String(name[name.index(after: name.startIndex)..<r.lowerBound]) + ".safetensors")
    }

    /// 8 hex digits of the 64-bit FNV-1a hash of `name`'s UTF-8 bytes, its halves folded together.
    package static func hash(_ name: String) -> String {
        let h = Fingerprint.of(name)
        return hex((h >> 32) ^ (h & 0xffff_ffff), digits: 8)
    }

    package static func hex(_ v: UInt64, digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    private static func isLowerHex(_ b: UInt8) -> Bool { (48...57).contains(b) || (97...102).contains(b) }

    /// A positive decimal without leading zeros that fits an `Int`.
    private static func number(_ s: Substring) -> Int? {
        guard let first = s.utf8.first, first != UInt8(ascii: "0"), s.utf8.count <= 9,
              s.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(s)
    }
}
