extension DumpFile {
    /// The fingerprint of layer `name`'s tensors, as an exported file records it (`input_hash`):
    /// `fnv1a64:` and 16 hex digits of ``Fingerprint`` over, for the input and then the weight (when the
    /// layer has one), the rows and columns (8 bytes each, little-endian) and every value's float32 bit
    /// pattern as stored (little-endian). Streams the tensors (about 1 MB held at a time).
    ///
    /// Two dumps whose layer has the same values (whatever the file's format or dtype, as read) give
    /// the same fingerprint; a changed value changes it.
    package func fingerprint(layer name: String) throws(DumpError) -> String {
        guard let info = layer(named: name) else { throw DumpError(file: path, message: "no layer named \"\(name)\"") }
        var f = Fingerprint()
        for tensor in [info.inputTensor] + (info.weightTensor.map { [$0] } ?? []) {
            guard let t = self.tensor(named: tensor) else { throw DumpError(file: path, message: "no tensor named \"\(tensor)\"") }
            let (rows, cols) = t.matrixShape
            f.add(UInt64(rows))
            f.add(UInt64(cols))
            try streamTensor(tensor) { _, run in f.add(run) }
        }
        return "fnv1a64:" + f.hex
    }
}
