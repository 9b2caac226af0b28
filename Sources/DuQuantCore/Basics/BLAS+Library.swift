import CBLAS

/// What BLAS library is loaded, its version and the kernel set ("core") it uses.
extension BLAS {
    /// The core OpenBLAS chose when it loaded (`openblas_get_corename()`), e.g. "Zen".
    public static var coreName: String {
        guard let name = duq_blas_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build line (`openblas_get_config()`), e.g.
    /// "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64".
    public static var config: String {
        guard let config = duq_blas_config() else { return "unknown" }
        return String(cString: config)
    }

    /// The library's name and version from `config` ("OpenBLAS 0.3.21").
    public static var libraryVersion: String {
        let words = config.split(separator: " ")
        return words.count >= 2 && words[0] == "OpenBLAS" ? "OpenBLAS \(words[1])" : config
    }
}
