/// The validated central directory of a zip archive (an .npz), with each member's data located.
///
/// Reads the end-of-central-directory record (and its zip64 counterpart when the 32-bit fields are
/// saturated), walks the central directory, and for every member checks the local header: signature,
/// same name, same method, data inside the file and before the central directory. Members must not
/// overlap. Only methods 0 (stored) and 8 (deflated) are accepted; encrypted members and multi-disk
/// archives are refused. Sizes come from the central directory (numpy writes zip64 local headers
/// whose 32-bit size fields are saturated).
///
/// CRC-32s are checked when a member is read, not here, so that opening stays O(directory).
struct ZipArchive {
    /// A member whose uncompressed size exceeds this is refused (inflation is bounded by it).
    static let maxMemberBytes = 4 << 30
    /// Deflate cannot expand more than about 1032:1; a declared size beyond that is a lie.
    static let maxDeflateRatio = 1032

    struct Member {
        var name: String
        /// 0 stored, 8 deflated.
        var method: UInt16
        var crc32: UInt32
        /// Absolute byte range of the (possibly compressed) data in the file.
        var dataRange: Range<Int>
        var uncompressedSize: Int
    }

    var members: [Member]

    private enum Sig {
        static let local: UInt32 = 0x0403_4B50
        static let central: UInt32 = 0x0201_4B50
        static let end: UInt32 = 0x0605_4B50
        static let end64: UInt32 = 0x0606_4B50
        static let locator64: UInt32 = 0x0706_4B50
    }

    /// Parses the archive in `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(FormatError) -> ZipArchive {
        let r = ByteReader(bytes: bytes)
        // The end record is the last 22 bytes plus a comment of up to 65535 bytes.
        guard r.count >= 22 else { throw FormatError("too short for a zip archive (\(r.count) bytes)") }
        var eocd: Int?
        var pos = r.count - 22
        let lowest = max(0, r.count - 22 - 0xFFFF)
        while pos >= lowest {
            if r.u32(pos) == Sig.end, let commentLength = r.u16(pos + 20), pos + 22 + Int(commentLength) == r.count {
                eocd = pos
                break
            }
            pos -= 1
        }
        guard let eocd, let diskNumber = r.u16(eocd + 4), let cdDisk = r.u16(eocd + 6),
              let count16 = r.u16(eocd + 10), let cdSize32 = r.u32(eocd + 12), let cdOffset32 = r.u32(eocd + 16) else {
            throw FormatError("no zip end-of-central-directory record (truncated or not a zip)")
        }
        var entryCount = Int(count16)
        var cdSize = Int(cdSize32)
        var cdOffset = Int(cdOffset32)
        var cdLimit = eocd  // the central directory must end before this
        if count16 == 0xFFFF || cdSize32 == 0xFFFF_FFFF || cdOffset32 == 0xFFFF_FFFF {
            guard eocd >= 20, r.u32(eocd - 20) == Sig.locator64, let loc = r.u64(eocd - 20 + 8),
                  let end64 = Checked.int(loc), r.u32(end64) == Sig.end64,
                  let n = r.u64(end64 + 32), let s = r.u64(end64 + 40), let o = r.u64(end64 + 48),
                  let n64 = Checked.int(n), let s64 = Checked.int(s), let o64 = Checked.int(o),
                  end64 <= eocd - 20 else {
                throw FormatError("zip64 end record missing or malformed")
            }
            entryCount = n64
            cdSize = s64
            cdOffset = o64
            cdLimit = end64
        } else if diskNumber != 0 || cdDisk != 0 {
            throw FormatError("multi-disk zip archives are not supported")
        }
        guard let cdEnd = Checked.add(cdOffset, cdSize), cdEnd <= cdLimit else {
            throw FormatError("central directory (offset \(cdOffset), size \(cdSize)) lies outside the archive")
        }
        guard entryCount <= cdSize / 46 || (entryCount == 0 && cdSize == 0) else {
            throw FormatError("central directory claims \(entryCount) entries in \(cdSize) bytes")
        }

        var members: [Member] = []
        var names = Set<String>()
        var extents: [(Range<Int>, String)] = []
        var p = cdOffset
        for _ in 0..<entryCount {
            guard r.u32(p) == Sig.central, let flags = r.u16(p + 8), let method = r.u16(p + 10),
                  let crc = r.u32(p + 16), let csize32 = r.u32(p + 20), let usize32 = r.u32(p + 24),
                  let nameLength = r.u16(p + 28), let extraLength = r.u16(p + 30), let commentLength = r.u16(p + 32),
                  let disk16 = r.u16(p + 34), let local32 = r.u32(p + 42),
                  let nameBytes = r.slice(p + 46, Int(nameLength)),
                  let extra = r.slice(p + 46 + Int(nameLength), Int(extraLength)) else {
                throw FormatError("central directory entry at offset \(p) is malformed")
            }
            let recordEnd = p + 46 + Int(nameLength) + Int(extraLength) + Int(commentLength)
            guard recordEnd <= cdEnd else { throw FormatError("central directory entry at offset \(p) overruns the directory") }
            p = recordEnd
            let name = String(decoding: nameBytes, as: UTF8.self)
            func bad(_ what: String) -> FormatError { FormatError("member \(name): \(what)") }

            // zip64 extended information: present fields are exactly the saturated ones, in order.
            var usize = Int(usize32), csize = Int(csize32), localOffset = Int(local32)
            var disk = Int(disk16)
            if usize32 == 0xFFFF_FFFF || csize32 == 0xFFFF_FFFF || local32 == 0xFFFF_FFFF || disk16 == 0xFFFF {
                let e = ByteReader(bytes: extra)
                var q = 0
                var z64: ByteReader?
                while let id = e.u16(q), let len = e.u16(q + 2) {
                    if id == 0x0001 { z64 = e.slice(q + 4, Int(len)).map { ByteReader(bytes: $0) }; break }
                    q += 4 + Int(len)
                }
                guard let z64 else { throw bad("saturated sizes without a zip64 extra field") }
                var f = 0
                func next() throws(FormatError) -> Int {
                    guard let v = z64.u64(f), let i = Checked.int(v) else { throw bad("zip64 extra field is too short") }
                    f += 8
                    return i
                }
                if usize32 == 0xFFFF_FFFF { usize = try next() }
                if csize32 == 0xFFFF_FFFF { csize = try next() }
                if local32 == 0xFFFF_FFFF { localOffset = try next() }
                if disk16 == 0xFFFF {
                    guard let d = z64.u32(f) else { throw bad("zip64 extra field is too short") }
                    disk = Int(d)
                }
            }
            if name.hasSuffix("/") && usize == 0 { continue }  // a directory entry
            guard disk == 0 else { throw bad("lives on another disk") }
            guard flags & 0x1 == 0 else { throw bad("is encrypted") }
            guard method == 0 || method == 8 else { throw bad("compression method \(method) is not supported (only stored and deflated)") }
            guard names.insert(name).inserted else { throw bad("appears twice") }
            guard usize <= maxMemberBytes else { throw bad("uncompressed size \(usize) exceeds the \(maxMemberBytes)-byte limit") }
            if method == 0 {
                guard csize == usize else { throw bad("stored member has compressed size \(csize) ≠ size \(usize)") }
            } else {
                guard let bound = Checked.mul(csize, maxDeflateRatio), usize <= bound + 1024 else {
                    throw bad("declared size \(usize) is impossible for \(csize) compressed bytes")
                }
            }

            guard r.u32(localOffset) == Sig.local, let localMethod = r.u16(localOffset + 8),
                  let localNameLength = r.u16(localOffset + 26), let localExtraLength = r.u16(localOffset + 28),
                  let localName = r.slice(localOffset + 30, Int(localNameLength)) else {
                throw bad("local header at offset \(localOffset) is missing or truncated")
            }
            guard localName.elementsEqual(nameBytes) else { throw bad("local header names a different file") }
            guard localMethod == method else { throw bad("local header disagrees on the compression method") }
            let dataStart = localOffset + 30 + Int(localNameLength) + Int(localExtraLength)
            guard let dataEnd = Checked.add(dataStart, csize), dataEnd <= cdOffset else {
                throw bad("data (\(csize) bytes at offset \(dataStart)) runs past the central directory")
            }
            extents.append((localOffset..<dataEnd, name))
            members.append(Member(name: name, method: method, crc32: crc, dataRange: dataStart..<dataEnd, uncompressedSize: usize))
        }
        // An end record that under-counts would silently hide members; the records must fill the directory.
        guard p == cdEnd else {
            throw FormatError("central directory has \(cdEnd - p) bytes after its \(entryCount) entries (entry count lies)")
        }
        extents.sort { $0.0.lowerBound < $1.0.lowerBound }
        for k in extents.indices.dropFirst() where extents[k].0.lowerBound < extents[k - 1].0.upperBound {
            throw FormatError("members \(extents[k - 1].1) and \(extents[k].1) overlap")
        }
        return ZipArchive(members: members)
    }
}
