import DuQuantCore
import Foundation

/// Builds a safetensors file from `Float` tensors and string metadata.
///
/// Tensors are stored in the order added, in F32 by default or F16/BF16/F64 on request (F16 and BF16
/// round to nearest even). The JSON header is padded with spaces to a multiple of 8 bytes, as the
/// format recommends, so the data region is 8-byte aligned.
///
/// ```swift
/// var w = SafetensorsWriter()
/// w.metadata["model"] = "toy"
/// try w.add("layer.input", Matrix([[1, 2], [3, 4]]))
/// try w.write(to: "out.safetensors")
/// ```
public struct SafetensorsWriter: Sendable {
    /// `__metadata__` entries (omitted from the file when empty).
    public var metadata: [String: String] = [:]
    private var tensors: [(name: String, dtype: DType, shape: [Int], bytes: [UInt8])] = []

    /// An empty writer: no tensors, no metadata.
    public init() {}

    /// Adds a tensor of `shape` with row-major `values`, stored as `dtype`.
    ///
    /// Throws if the name is taken or reserved, the shape does not match the values, or the dtype
    /// cannot be written.
    public mutating func add(_ name: String, shape: [Int], values: [Float], dtype: DType = .f32) throws(DumpError) {
        func bad(_ what: String) -> DumpError { DumpError(file: "safetensors writer", message: "tensor \"\(name)\": \(what)") }
        guard name != "__metadata__", !tensors.contains(where: { $0.name == name }) else { throw bad("name is reserved or already used") }
        guard Checked.elementCount(shape) == values.count else { throw bad("shape \(shape) does not hold \(values.count) values") }
        guard let bytes = FloatConversion.bytes(of: values, as: dtype) else { throw bad("cannot write dtype \(dtype.name)") }
        tensors.append((name, dtype, shape, bytes))
    }

    /// Adds a matrix as a rank-2 tensor.
    public mutating func add(_ name: String, _ matrix: Matrix, dtype: DType = .f32) throws(DumpError) {
        try add(name, shape: [matrix.rows, matrix.cols], values: matrix.storage, dtype: dtype)
    }

    /// The complete file contents.
    public func serialized() -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = []
        if !metadata.isEmpty {
            members.append(("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        var offset = 0
        for t in tensors {
            members.append((t.name, .object([
                ("dtype", .string(t.dtype.name)),
                ("shape", .array(t.shape.map { .number(String($0)) })),
                ("data_offsets", .array([.number(String(offset)), .number(String(offset + t.bytes.count))])),
            ])))
            offset += t.bytes.count
        }
        var header = Array(JSONValue.object(members).encoded.utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for t in tensors { out.append(contentsOf: t.bytes) }
        return out
    }

    /// Writes the file to `path` atomically, only onto a regular file or a new path (see `OutputFile`).
    public func write(to path: String) throws(DumpError) {
        try OutputFile.write(serialized(), to: path)
    }

    /// Throws unless `path` may be written: a regular file or a new path (see `OutputFile`).
    public static func checkOutput(_ path: String) throws(DumpError) {
        try OutputFile.checkTarget(path)
    }
}
