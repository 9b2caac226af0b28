import DuQuantCompute
import Testing

/// The library's entry points the core calls, and what this target reads about the process.
@Suite struct BLASLibraryTests {
    @Test func sgemmAndDgemmComputeSmallProductsExactly() {
        // A = [[1, 2, 3], [4, 5, 6]], B = [[1, 0], [0, 1], [1, 1]]: A·B = [[4, 5], [10, 11]], exact in float.
        let a: [Float] = [1, 2, 3, 4, 5, 6], b: [Float] = [1, 0, 0, 1, 1, 1]
        var c = [Float](repeating: .nan, count: 4)
        BLASLibrary.sgemm(m: 2, n: 2, k: 3, a: a, lda: 3, b: b, ldb: 2, transB: false, c: &c, ldc: 2)
        #expect(c == [4, 5, 10, 11])
        // The same with B stored transposed (2×3), as in the layer product X·Wᵀ.
        let bt: [Float] = [1, 0, 1, 0, 1, 1]
        BLASLibrary.sgemm(m: 2, n: 2, k: 3, a: a, lda: 3, b: bt, ldb: 3, transB: true, c: &c, ldc: 2)
        #expect(c == [4, 5, 10, 11])
        var d = [Double](repeating: .nan, count: 4)
        BLASLibrary.dgemm(m: 2, n: 2, k: 3, a: a.map(Double.init), lda: 3, b: b.map(Double.init), ldb: 2, c: &d, ldc: 2)
        #expect(d == [4, 5, 10, 11])
    }

    @Test func theThreadCountReadsBackWhatWasSet() {
        let saved = BLASLibrary.threads
        defer { BLASLibrary.setThreads(saved) }
        BLASLibrary.setThreads(1)
        #expect(BLASLibrary.threads == 1)
    }

    @Test func theLibraryNamesItself() {
        #expect(!BLASLibrary.coreName.isEmpty)
        #expect(BLASLibrary.libraryVersion.hasPrefix("OpenBLAS "))
    }

    @Test func processorsAndMemoryArePositive() {
        #expect(Processors.online >= 1)
        #expect(ProcessMemory.availableBytes() > 0)
    }
}
