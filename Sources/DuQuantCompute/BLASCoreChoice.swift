/// Which OpenBLAS kernel set ("core") the CPU's features call for, and whether the library's own
/// choice is older.
///
/// Debian's OpenBLAS 0.3.21 picks its core from the CPU's family and model when it loads; on CPUs newer
/// than it knows (Intel family 6 model 207, AVX-512) it falls back to Prescott (SSE3), ~4× slower.
/// This mapping goes by features instead:
///
/// | features                                   | core                             |
/// |--------------------------------------------|----------------------------------|
/// | AVX-512 F, BW, VL, DQ and AVX512_BF16      | Cooperlake                       |
/// | AVX-512 F, BW, VL, DQ                      | SkylakeX                         |
/// | AVX2 and FMA                               | Haswell (Intel, others), Zen (AMD)|
/// | less                                       | none: the library's choice stands|
///
/// ```swift
/// BLASCoreChoice.core(for: features)                    // "Cooperlake"
/// BLASCoreChoice.isOlder("Prescott", than: "Cooperlake")  // true
/// ```
public enum BLASCoreChoice {
    /// The core the features call for, or nil when they call for nothing beyond SSE/AVX (then the
    /// library's own choice is as good as any).
    public static func core(for f: CPUFeatures) -> String? {
        let avx512 = f.has(.avx512f) && f.has(.avx512bw) && f.has(.avx512vl) && f.has(.avx512dq)
        if avx512 && f.has(.avx512bf16) { return "Cooperlake" }
        if avx512 { return "SkylakeX" }
        if f.has(.avx2) && f.has(.fma) { return f.vendor == .amd ? "Zen" : "Haswell" }
        return nil
    }

    /// The instruction level of each core name `openblas_get_corename()` returns (0.3.21 spelling,
    /// compared case-insensitively): 0 SSE only, 1 AVX, 2 AVX2/FMA, 3 AVX-512, 4 AVX-512 + BF16.
    static let levels: [String: Int] = {
        var table: [String: Int] = [:]
        let byLevel: [[String]] = [
            ["unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
             "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat"],
            ["sandybridge", "bulldozer", "piledriver", "steamroller"],
            ["haswell", "zen", "excavator"],
            ["skylakex"],
            ["cooperlake", "sapphirerapids"],
        ]
        for (level, names) in byLevel.enumerated() { for name in names { table[name] = level } }
        return table
    }()

    /// The instruction level of `core`, or nil for a name this table does not know.
    public static func level(of core: String) -> Int? { levels[core.lowercased()] }

    /// Whether `library` (the core the library chose) is of a lower level than `wanted`. A name this
    /// table does not know is never called older: a newer library may know the CPU better than we do.
    public static func isOlder(_ library: String, than wanted: String) -> Bool {
        guard let have = level(of: library), let want = level(of: wanted) else { return false }
        return have < want
    }
}
