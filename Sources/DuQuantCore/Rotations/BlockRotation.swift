import DuQuantCompute
/// A block-diagonal orthogonal transform of the channel dimension: block `k` of consecutive channels
/// is multiplied by its own square matrix.
///
/// Applied to activations and to the weight's input dimension alike, so `X Wᵀ` is unchanged.
public struct BlockRotation: Sendable, Equatable {
    /// Size of each block, in channel order (the last may be smaller).
    public var blockSizes: [Int]
    /// One square matrix per block (the shared layout repeats the same matrix).
    public var blocks: [Matrix]

    /// A rotation from square `blocks` in channel order; traps unless block `i` is `blockSizes[i]` × `blockSizes[i]`.
    public init(blockSizes: [Int], blocks: [Matrix]) {
        precondition(blockSizes.count == blocks.count)
        precondition(zip(blockSizes, blocks).allSatisfy { $0 == $1.rows && $0 == $1.cols })
        self.blockSizes = blockSizes
        self.blocks = blocks
    }

    /// Channels covered.
    public var channels: Int { blockSizes.reduce(0, +) }

    /// The identity on `channels` channels in blocks of `block`.
    public static func identity(channels: Int, block: Int) -> BlockRotation {
        let sizes = BlockRotation.partition(channels: channels, block: block)
        return BlockRotation(blockSizes: sizes, blocks: sizes.map { Matrix.identity($0) })
    }

    /// Block sizes for `channels` channels: full blocks of `block` and one last partial block.
    public static func partition(channels: Int, block: Int) -> [Int] {
        precondition(block > 0)
        var sizes = [Int](repeating: block, count: channels / block)
        if channels % block != 0 { sizes.append(channels % block) }
        return sizes
    }

    /// `m · diag(R_0, R_1, …)`: every block of channels multiplied by its matrix.
    ///
    /// In ``FixedOrder`` (not BLAS), row ranges on the cores: the transformed activation and weight are the
    /// same bits on every machine, so the quantizers that round them decide the same everywhere.
    public func apply(to m: Matrix) -> Matrix {
        precondition(m.cols == channels, "transform covers \(channels) channels, matrix has \(m.cols)")
        guard m.rows > 0, !blockSizes.isEmpty else { return Matrix(rows: m.rows, cols: m.cols) }
        // Every output element is written by a product, so the storage starts uninitialised: no serial
        // memset, and the first-touch page faults happen on the worker threads.
        let storage = [Float](unsafeUninitializedCapacity: m.count) { out, initialized in
            HugePages.advise(out.baseAddress!, count: out.count)
            m.storage.withUnsafeBufferPointer { src in
                nonisolated(unsafe) let a = src.baseAddress!, c = out.baseAddress!
                let cols = m.cols
                ParallelRows.forEach(rows: m.rows, cols: m.cols) { range in
                    var start = 0
                    for (size, r) in zip(blockSizes, blocks) {
                        r.storage.withUnsafeBufferPointer { rb in
                            FixedOrder.multiply(rows: range.count, k: size, n: size, a: a + range.lowerBound * cols + start,
                                                lda: cols, b: rb.baseAddress!, c: c + range.lowerBound * cols + start, ldc: cols)
                        }
                        start += size
                    }
                }
            }
            initialized = m.count
        }
        return Matrix(rows: m.rows, cols: m.cols, storage: storage)
    }

    /// `diag(d) · self`: row `i` of the block-diagonal matrix (channel `i`) multiplied by `d[i]`.
    public func scalingRows(by d: [Float]) -> BlockRotation {
        precondition(d.count == channels)
        var start = 0
        var scaled: [Matrix] = []
        for (n, b) in zip(blockSizes, blocks) {
            var m = b
            for r in 0..<n { for c in 0..<n { m.storage[r * n + c] *= d[start + r] } }
            scaled.append(m)
            start += n
        }
        return BlockRotation(blockSizes: blockSizes, blocks: scaled)
    }
}
