/// libFuzzer entry point: the bytes are read as a `.npy` file (built by tools/fuzz/run-fuzz.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz_npy(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzExercise(data, count, as: "fuzz.npy")
    return 0
}
