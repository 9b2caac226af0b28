import DuQuantIO

/// Shared body of the libFuzzer harnesses: open bytes as a dump named `name`, then load every tensor
/// and every layer. Any outcome is fine except a trap, a sanitizer report, a hang or a memory blow-up.
func fuzzExercise(_ data: UnsafePointer<UInt8>?, _ count: Int, as name: String) {
    let bytes = count > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: count)) : []
    guard let dump = try? DumpFile.open(contents: bytes, path: name) else { return }
    for t in dump.tensors { _ = try? dump.loadTensor(t.name) }
    for l in dump.layers { _ = try? dump.loadLayer(l.name) }
    _ = dump.warnings.map(\.description)
}
