/// The validated header of a safetensors file: tensor descriptions, data ranges and metadata.
///
/// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data region.
/// Every check happens here, before any tensor byte is touched:
/// - N ≤ file size − 8 and N ≤ `maxHeaderBytes`;
/// - the header is a JSON object; `__metadata__`, if present, maps strings to strings;
/// - each tensor has a string `dtype`, a `shape` of non-negative integers and `data_offsets`
///   `[begin, end]` with begin ≤ end ≤ data region size;
/// - for known dtypes, elements × element size == end − begin (overflow-checked);
/// - tensors do not overlap and together cover the data region exactly.
///
/// Decision: a dtype that cannot be converted to `Float` (integers, FP8, …) is listed as
/// `DType.unsupported` and fails only when the tensor is loaded, so a dump with a few integer
/// tensors (token ids, masks) still opens. A dtype the explorer does not even know the size of is
/// also listed; its byte range is still checked for bounds and overlap.
struct SafetensorsHeader {
    /// Header JSON larger than this is refused (the reference implementation uses the same bound).
    static let maxHeaderBytes = 100_000_000

    struct Entry {
        var info: TensorInfo
        /// Absolute byte range of the data in the file.
        var range: Range<Int>
    }

    var entries: [Entry]
    var metadata: [String: String]

    /// Element sizes of dtypes that are known but not converted.
    static let unsupportedSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "F8_E8M0": 1,
        "I16": 2, "U16": 2, "I32": 4, "U32": 4, "I64": 8, "U64": 8, "C64": 8,
    ]

    static func dtype(named s: String) -> DType {
        switch s {
        case "F16": return .f16
        case "BF16": return .bf16
        case "F32": return .f32
        case "F64": return .f64
        default: return .unsupported(s)
        }
    }

    /// Parses and validates the header of the mapped file `bytes`.
    /// `scanning: false` reads every header with the generic JSON parser (tests compare the two).
    static func parse(_ bytes: UnsafeRawBufferPointer, scanning: Bool = true) throws(FormatError) -> SafetensorsHeader {
        let r = ByteReader(bytes: bytes)
        guard let n64 = r.u64(0) else {
            throw FormatError("too short for a safetensors file (\(bytes.count) bytes, need at least 8)")
        }
        guard let n = Checked.int(n64), n <= bytes.count - 8 else {
            throw FormatError("header length \(n64) exceeds the file size \(bytes.count) − 8 (truncated or not safetensors)")
        }
        guard n <= maxHeaderBytes else {
            throw FormatError("header length \(n) exceeds the \(maxHeaderBytes)-byte limit")
        }
        guard n >= 2, let headerBytes = r.slice(8, n) else {
            throw FormatError("header length \(n) is too small for a JSON object")
        }
        let dataStart = 8 + n
        let dataSize = bytes.count - dataStart
        var entries: [Entry] = []
        var metadata: [String: String] = [:]
        func add(_ name: String, dtypeName: String, shape: [Int], begin: Int, end: Int) throws(FormatError) {
            func bad(_ what: String) -> FormatError { FormatError("tensor \"\(name)\": \(what)") }
            guard begin >= 0, begin <= end else { throw bad("data_offsets [\(begin), \(end)] are not ordered") }
            guard end <= dataSize else {
                throw bad("data_offsets [\(begin), \(end)] exceed the data region of \(dataSize) bytes")
            }
            guard let elements = Checked.elementCount(shape) else { throw bad("shape \(shape) overflows") }
            let dtype = dtype(named: dtypeName)
            if let size = dtype.byteSize ?? unsupportedSizes[dtypeName] {
                guard let expected = Checked.mul(elements, size), expected == end - begin else {
                    throw bad("shape \(shape) of \(dtypeName) needs \(elements) × \(size) bytes but data_offsets span \(end - begin)")
                }
            }
            entries.append(Entry(
                info: TensorInfo(name: name, dtype: dtype, shape: shape, byteCount: end - begin),
                range: (dataStart + begin)..<(dataStart + end)))
        }
        if scanning, let scanned = scan(headerBytes) {
            // The common header, read without a JSON tree (see `scan`).
            entries.reserveCapacity(scanned.tensors.count)
            for t in scanned.tensors { try add(t.name, dtypeName: t.dtype, shape: t.shape, begin: t.begin, end: t.end) }
            metadata = scanned.metadata
            return try checkCoverage(entries, metadata: metadata, dataStart: dataStart, fileSize: bytes.count)
        }
        let json: JSONValue
        do throws(FormatError) {
            json = try JSONParser.parse(headerBytes)
        } catch {
            throw FormatError("header: \(error.message)")
        }
        guard let members = json.object else { throw FormatError("header is not a JSON object") }
        for (name, value) in members {
            if name == "__metadata__" {
                guard let meta = value.object else { throw FormatError("__metadata__ is not an object") }
                for (k, v) in meta {
                    guard let s = v.string else { throw FormatError("__metadata__[\"\(k)\"] is not a string") }
                    metadata[k] = s
                }
                continue
            }
            func bad(_ what: String) -> FormatError { FormatError("tensor \"\(name)\": \(what)") }
            guard value.object != nil else { throw bad("description is not an object") }
            guard let dtypeName = value["dtype"]?.string else { throw bad("missing or non-string dtype") }
            guard let shapeJSON = value["shape"]?.array else { throw bad("missing or non-array shape") }
            var shape: [Int] = []
            for d in shapeJSON {
                guard let v = d.int, v >= 0 else { throw bad("shape \(value["shape"]?.encoded ?? "") is not a list of non-negative integers") }
                shape.append(v)
            }
            guard let offsets = value["data_offsets"]?.array, offsets.count == 2,
                  let begin = offsets[0].int, let end = offsets[1].int else {
                throw bad("data_offsets must be [begin, end] integers")
            }
            try add(name, dtypeName: dtypeName, shape: shape, begin: begin, end: end)
        }
        return try checkCoverage(entries, metadata: metadata, dataStart: dataStart, fileSize: bytes.count)
    }

    /// Overlap and coverage: sorted by start, each range must begin where the previous ended.
    /// Zero-length tensors may sit anywhere inside the region.
    private static func checkCoverage(_ entries: [Entry], metadata: [String: String], dataStart: Int,
                                      fileSize: Int) throws(FormatError) -> SafetensorsHeader {

        let sorted = entries.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        var cursor = dataStart
        for e in sorted {
            if e.range.lowerBound < cursor {
                throw FormatError("tensor \"\(e.info.name)\" overlaps another tensor")
            }
            if e.range.lowerBound > cursor {
                throw FormatError("data region has \(e.range.lowerBound - cursor) unused bytes at offset \(cursor - dataStart)")
            }
            cursor = e.range.upperBound
        }
        if cursor != fileSize {
            throw FormatError("data region has \(fileSize - cursor) unused bytes at the end")
        }
        return SafetensorsHeader(entries: entries, metadata: metadata)
    }
}
