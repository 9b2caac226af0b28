import DuQuantCompute
extension LayerData {
    /// This layer with denormal values (0 < |x| < 1.18e-38) replaced by 0, or itself when it has none.
    ///
    /// The same as reading the data with denormals-are-zero set (``FlushToZero``), done once on the data
    /// so that threads we do not configure (OpenBLAS's own) never meet a denormal operand either.
    public func flushingSubnormals() -> LayerData {
        var out = self
        let flushedInput = Self.flushed(input)
        let flushedWeight = weight.flatMap(Self.flushed)
        guard flushedInput != nil || flushedWeight != nil else { return self }
        if let m = flushedInput { out.input = m }
        if let m = flushedWeight { out.weight = m }
        return out
    }

    /// `m` with subnormals replaced by 0, or nil when it has none (no copy then).
    static func flushed(_ m: Matrix) -> Matrix? {
        let any = m.storage.withUnsafeBufferPointer { buf in
            nonisolated(unsafe) let p = buf.baseAddress
            return ParallelRows.mapChunks(count: buf.count) { range in
                var found = false
                for i in range where p![i].isSubnormal { found = true; break }
                return found
            }.contains(true)
        }
        guard any else { return nil }
        var out = m
        out.storage.withUnsafeMutableBufferPointer { buf in
            for i in buf.indices where buf[i].isSubnormal { buf[i] = 0 }
        }
        return out
    }
}
