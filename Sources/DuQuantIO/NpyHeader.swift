/// The validated header of a .npy array: element type, shape and where the data starts.
///
/// Layout: magic `\x93NUMPY`, major and minor version bytes, the header length (u16 for 1.x, u32 for
/// 2.x and 3.x), then the header: a Python dict literal with exactly the keys `descr`,
/// `fortran_order` and `shape`. Data follows immediately and must fill the rest of the file exactly.
///
/// Decision: little-endian (or byte-order-free) floats `<f2`, `<f4`, `<f8` are converted; other plain
/// types (integers, big-endian floats, …) are listed as `DType.unsupported` so the file still opens;
/// structured and object dtypes are refused. `fortran_order: True` is refused for rank ≥ 2 (for rank
/// ≤ 1 the layout is identical to C order).
struct NpyHeader {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// Header dicts longer than this are refused; numpy writes well under a kilobyte.
    static let maxHeaderBytes = 1 << 20

    var dtype: DType
    var shape: [Int]
    /// Offset of the first data byte from the start of the .npy bytes.
    var dataOffset: Int
    /// Bytes of data the shape and dtype call for.
    var byteCount: Int

    /// Bytes needed to read the whole header, from the fixed preamble; nil if the preamble is not there.
    ///
    /// Used to inflate just enough of a compressed member to parse its header.
    static func headerEnd(_ r: ByteReader) -> Int? {
        guard r.matches(magic), let major = r.u8(6) else { return nil }
        if major == 1, let n = r.u16(8) { return 10 + Int(n) }
        if major == 2 || major == 3, let n = r.u32(8) { return Checked.add(12, Int(n)) }
        return nil
    }

    /// Parses the header of `bytes` (a whole .npy, or at least its header when `totalSize` is given).
    ///
    /// - Parameter totalSize: the full size of the .npy; defaults to `bytes.count`.
    static func parse(_ bytes: UnsafeRawBufferPointer, totalSize: Int? = nil) throws(FormatError) -> NpyHeader {
        let r = ByteReader(bytes: bytes)
        let total = totalSize ?? bytes.count
        guard r.matches(magic) else { throw FormatError("not a .npy array (bad magic)") }
        guard let major = r.u8(6), let minor = r.u8(7) else { throw FormatError("truncated .npy preamble") }
        let headerStart: Int
        let headerLength: Int
        switch major {
        case 1:
            guard let n = r.u16(8) else { throw FormatError("truncated .npy preamble") }
            headerStart = 10
            headerLength = Int(n)
        case 2, 3:
            guard let n = r.u32(8) else { throw FormatError("truncated .npy preamble") }
            headerStart = 12
            headerLength = Int(n)
        default:
            throw FormatError("unsupported .npy version \(major).\(minor)")
        }
        guard headerLength <= maxHeaderBytes else {
            throw FormatError("header length \(headerLength) exceeds the \(maxHeaderBytes)-byte limit")
        }
        guard let text = r.slice(headerStart, headerLength) else {
            throw FormatError("header length \(headerLength) runs past the end of the data (truncated)")
        }
        let literal: PyLiteral
        do throws(FormatError) {
            literal = try PyLiteral.parse(text)
        } catch {
            throw FormatError(error.message)
        }
        guard case .dict(let members) = literal else { throw FormatError("header is not a dict") }
        var descr: PyLiteral?
        var fortran: PyLiteral?
        var shapeLiteral: PyLiteral?
        for (k, v) in members {
            guard case .string(let key) = k else { throw FormatError("header has a non-string key") }
            switch key {
            case "descr" where descr == nil: descr = v
            case "fortran_order" where fortran == nil: fortran = v
            case "shape" where shapeLiteral == nil: shapeLiteral = v
            default: throw FormatError("header has an unexpected or repeated key '\(key)'")
            }
        }
        guard let descr, let fortran, let shapeLiteral else {
            throw FormatError("header lacks one of 'descr', 'fortran_order', 'shape'")
        }
        guard case .tuple(let dims) = shapeLiteral else { throw FormatError("'shape' is not a tuple") }
        var shape: [Int] = []
        for d in dims {
            guard case .int(let v) = d, v >= 0 else { throw FormatError("'shape' has a negative or non-integer dimension") }
            shape.append(v)
        }
        guard case .bool(let isFortran) = fortran else { throw FormatError("'fortran_order' is not a bool") }
        if isFortran && shape.count > 1 {
            throw FormatError("fortran_order True is not supported (save a C-ordered array, e.g. np.ascontiguousarray)")
        }
        guard case .string(let descrText) = descr else {
            throw FormatError("structured dtypes are not supported (descr is not a string)")
        }
        let (dtype, itemSize) = try decodeDescr(descrText)
        guard let elements = Checked.elementCount(shape), let byteCount = Checked.mul(elements, itemSize) else {
            throw FormatError("shape \(shape) overflows")
        }
        let dataOffset = headerStart + headerLength
        guard total >= dataOffset, total - dataOffset == byteCount else {
            throw FormatError("shape \(shape) of \(descrText) needs \(byteCount) data bytes but \(max(0, total - dataOffset)) are present")
        }
        return NpyHeader(dtype: dtype, shape: shape, dataOffset: dataOffset, byteCount: byteCount)
    }

    /// The dtype and item size of a numpy type string such as `<f4`.
    static func decodeDescr(_ s: String) throws(FormatError) -> (DType, Int) {
        let u = Array(s.utf8)
        guard u.count >= 3, let kind = u.dropFirst().first,
              let size = Int(String(decoding: u.dropFirst(2), as: UTF8.self)), size > 0, size <= 1 << 20 else {
            throw FormatError("unsupported dtype descr '\(s)'")
        }
        let order = u[0]
        guard order == UInt8(ascii: "<") || order == UInt8(ascii: ">") || order == UInt8(ascii: "|")
                || order == UInt8(ascii: "=") else {
            throw FormatError("unsupported dtype descr '\(s)'")
        }
        let little = order != UInt8(ascii: ">")
        switch kind {
        case UInt8(ascii: "O"):
            throw FormatError("object arrays (pickles) are not supported")
        case UInt8(ascii: "f") where little && size == 2: return (.f16, 2)
        case UInt8(ascii: "f") where little && size == 4: return (.f32, 4)
        case UInt8(ascii: "f") where little && size == 8: return (.f64, 8)
        case UInt8(ascii: "U"): return (.unsupported(s), size * 4)
        case UInt8(ascii: "b"), UInt8(ascii: "i"), UInt8(ascii: "u"), UInt8(ascii: "f"), UInt8(ascii: "c"),
             UInt8(ascii: "S"), UInt8(ascii: "a"), UInt8(ascii: "V"), UInt8(ascii: "m"), UInt8(ascii: "M"):
            return (.unsupported(s), size)
        default:
            throw FormatError("unsupported dtype descr '\(s)'")
        }
    }
}
