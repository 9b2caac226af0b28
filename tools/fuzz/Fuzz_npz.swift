/// libFuzzer entry point: the bytes are read as a `.npz` file (built by tools/fuzz/run-fuzz.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz_npz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzExercise(data, count, as: "fuzz.npz")
    return 0
}
