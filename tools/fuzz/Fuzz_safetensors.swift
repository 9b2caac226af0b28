/// libFuzzer entry point: the bytes are read as a `.safetensors` file (built by tools/fuzz/run-fuzz.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz_safetensors(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzExercise(data, count, as: "fuzz.safetensors")
    return 0
}
