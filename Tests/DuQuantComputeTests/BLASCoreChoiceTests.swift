import DuQuantCompute
import Foundation
import Testing

/// The CPU-feature → OpenBLAS core mapping, on fake CPUs of the kinds we run on, and the cpuid reading.
@Suite struct BLASCoreChoiceTests {
    static let avx2: Set<CPUFeatures.Flag> = [.sse3, .avx, .avx2, .fma]
    static let avx512: Set<CPUFeatures.Flag> = avx2.union([.avx512f, .avx512bw, .avx512vl, .avx512dq])

    // Issue 12: Debian's OpenBLAS 0.3.21 ran Prescott (SSE3) kernels on Intel family 6 model 207, a
    // current Xeon with AVX-512 and BF16, ~4.8× slower than Cooperlake's.
    @Test func testIssue12_XeonModel207GetsCooperlakeNotPrescott() {
        let xeon = CPUFeatures(vendor: .intel, family: 6, model: 207, flags: Self.avx512.union([.avx512bf16]))
        #expect(BLASCoreChoice.core(for: xeon) == "Cooperlake")
        #expect(BLASCoreChoice.isOlder("Prescott", than: "Cooperlake"))
    }

    @Test("features → core", arguments: [
        (CPUFeatures.Vendor.intel, avx512, "SkylakeX"),              // Skylake-SP, Ice Lake: no BF16
        (.intel, avx512.union([.avx512bf16]), "Cooperlake"),
        (.amd, avx512.union([.avx512bf16]), "Cooperlake"),              // Zen 4: by features, not by vendor
        (.intel, avx2, "Haswell"),
        (.amd, avx2, "Zen"),                                            // Zen 1–3 (this machine)
        (.other, avx2, "Haswell"),
        (.intel, avx2.union([.avx512f]), "Haswell"),                    // AVX-512 F without BW/VL/DQ
        (.intel, avx2.subtracting([.fma]), nil),                        // AVX2 without FMA: nothing newer
        (.intel, [.sse3, .avx], nil),
        (.amd, [.sse3], nil),
    ] as [(CPUFeatures.Vendor, Set<CPUFeatures.Flag>, String?)])
    func mapping(vendor: CPUFeatures.Vendor, flags: Set<CPUFeatures.Flag>, core: String?) {
        #expect(BLASCoreChoice.core(for: CPUFeatures(vendor: vendor, family: 6, model: 0, flags: flags)) == core)
    }

    @Test func olderIsByInstructionLevel() {
        #expect(BLASCoreChoice.isOlder("Sandybridge", than: "Haswell"))
        #expect(BLASCoreChoice.isOlder("SkylakeX", than: "Cooperlake"))
        #expect(BLASCoreChoice.isOlder("Unknown", than: "Zen"))
        #expect(BLASCoreChoice.isOlder("ZEN", than: "SkylakeX"))  // case-insensitive
        #expect(!BLASCoreChoice.isOlder("Zen", than: "Haswell"))
        #expect(!BLASCoreChoice.isOlder("Haswell", than: "Zen"))
        #expect(!BLASCoreChoice.isOlder("Cooperlake", than: "SkylakeX"))
        #expect(!BLASCoreChoice.isOlder("SapphireRapids", than: "Cooperlake"))
        // A name we do not know may come from a newer library that knows the CPU better.
        #expect(!BLASCoreChoice.isOlder("Zen5", than: "Cooperlake"))
    }

    /// cpuid (masked by XCR0) agrees with the kernel's view in /proc/cpuinfo.
    @Test func cpuidAgreesWithProcCpuinfo() throws {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let linux = Set(line.split(separator: ":")[1].split(separator: " ").map(String.init))
        let here = CPUFeatures.current
        let names: [(CPUFeatures.Flag, String)] = [(.sse3, "pni"), (.avx, "avx"), (.avx2, "avx2"), (.fma, "fma"),
            (.avx512f, "avx512f"), (.avx512bw, "avx512bw"), (.avx512vl, "avx512vl"), (.avx512dq, "avx512dq"),
            (.avx512bf16, "avx512_bf16")]
        for (flag, name) in names { #expect(here.has(flag) == linux.contains(name), "\(flag)") }
        if text.contains("GenuineIntel") { #expect(here.vendor == .intel) }
        if text.contains("AuthenticAMD") { #expect(here.vendor == .amd) }
    }
}

/// The correctness check a core chosen by the app must pass before it is used.
@Suite struct BLASSelfCheckTests {
    @Test func theLoadedBLASPasses() {
        let outcome = BLASSelfCheck.run()
        #expect(outcome.passed, "\(outcome.summary)")
        #expect(outcome.worst < 5e-6)  // measured 8e-7 to 9.4e-7 with Zen, Haswell, Sandybridge and Prescott kernels
    }

    @Test func aKernelOffByOneElementFails() {
        let outcome = BLASSelfCheck.run { m, n, k, a, lda, b, ldb, transB, c, ldc in
            BLASLibrary.sgemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transB: transB, c: c, ldc: ldc)
            if transB { c[ldc + 1] *= 1.01 }  // only the transposed product is wrong, and only by 1%
        }
        #expect(!outcome.passed)
        #expect(outcome.worstProduct.hasPrefix("transposed"))
    }

    @Test func aKernelThatLeavesOutputUntouchedFails() {
        let outcome = BLASSelfCheck.run { _, _, _, _, _, _, _, _, _, _ in }
        #expect(!outcome.passed)
        #expect(outcome.worst == .infinity)
        #expect(outcome.summary.contains("not finite"))
    }
}
