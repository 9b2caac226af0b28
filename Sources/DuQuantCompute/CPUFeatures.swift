import CCPUID

/// The CPU features that decide which BLAS kernels this machine can run.
///
/// Read once from cpuid (masked by what the operating system enables, so AVX-512 counts only when the
/// kernel saves its registers), or built by hand to test the choice of kernels on other machines.
///
/// ```swift
/// let here = CPUFeatures.current
/// let xeon = CPUFeatures(vendor: .intel, family: 6, model: 207,
///                        flags: [.sse3, .avx, .avx2, .fma, .avx512f, .avx512bw, .avx512vl, .avx512dq, .avx512bf16])
/// ```
public struct CPUFeatures: Sendable, Equatable, CustomStringConvertible {
    /// Who made the CPU (kernel sets of the same instruction level differ by vendor).
    public enum Vendor: String, Sendable { case intel, amd, other }

    /// The instruction-set extensions OpenBLAS's kernel sets are built for.
    public enum Flag: String, Sendable, CaseIterable {
        case sse3, avx, avx2, fma, avx512f, avx512bw, avx512vl, avx512dq, avx512bf16
    }

    /// Who made the CPU, from cpuid's vendor string (Hygon counts as AMD).
    public var vendor: Vendor
    /// Display family (e.g. 6 for Intel Core/Xeon, 25 for AMD Zen 3/4).
    public var family: Int
    /// Display model (e.g. 207 for a 5th-generation Xeon).
    public var model: Int
    /// The extensions present, AVX and AVX-512 only when the OS saves their registers (XCR0).
    public var flags: Set<Flag>

    /// Features given by hand, to test the kernel choice for a machine other than this one.
    public init(vendor: Vendor, family: Int, model: Int, flags: Set<Flag>) {
        self.vendor = vendor
        self.family = family
        self.model = model
        self.flags = flags
    }

    /// Whether the CPU (and OS) support `flag`.
    public func has(_ flag: Flag) -> Bool { flags.contains(flag) }

    /// The features of the CPU this process runs on.
    public static var current: CPUFeatures {
        let f = duq_cpu_features_read()
        var flags: Set<Flag> = []
        let pairs: [(Int32, Flag)] = [(f.sse3, .sse3), (f.avx, .avx), (f.avx2, .avx2), (f.fma, .fma),
                                      (f.avx512f, .avx512f), (f.avx512bw, .avx512bw), (f.avx512vl, .avx512vl),
                                      (f.avx512dq, .avx512dq), (f.avx512_bf16, .avx512bf16)]
        for (bit, flag) in pairs where bit != 0 { flags.insert(flag) }
        let vendor: Vendor = f.vendor_intel != 0 ? .intel : f.vendor_amd != 0 ? .amd : .other
        return CPUFeatures(vendor: vendor, family: Int(f.family), model: Int(f.model), flags: flags)
    }

    /// "intel family 6 model 207: avx avx2 fma …".
    public var description: String {
        "\(vendor.rawValue) family \(family) model \(model): "
            + Flag.allCases.filter(has).map(\.rawValue).joined(separator: " ")
    }
}
