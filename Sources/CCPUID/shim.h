#ifndef DUQUANT_CCPUID_SHIM_H
#define DUQUANT_CCPUID_SHIM_H
// The x86 CPU features that decide which BLAS kernels are usable, read with cpuid and xgetbv.
// Header only and stateless: every call reads the CPU afresh. On other architectures every feature is 0.
#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/// What the CPU and the operating system together support (1 = usable, 0 = not).
typedef struct {
    int vendor_intel;   ///< "GenuineIntel"
    int vendor_amd;     ///< "AuthenticAMD" or "HygonGenuine"
    int family;         ///< display family (base + extended)
    int model;          ///< display model (base + extended << 4)
    int sse3, avx, avx2, fma;
    int avx512f, avx512bw, avx512vl, avx512dq, avx512_bf16;
} duq_cpu_features;

// cpuid leaf 1, ECX
static const uint32_t DUQ_CPUID_1_ECX_SSE3 = 1u << 0;
static const uint32_t DUQ_CPUID_1_ECX_FMA = 1u << 12;
static const uint32_t DUQ_CPUID_1_ECX_OSXSAVE = 1u << 27;
static const uint32_t DUQ_CPUID_1_ECX_AVX = 1u << 28;
// cpuid leaf 7 subleaf 0, EBX
static const uint32_t DUQ_CPUID_7_EBX_AVX2 = 1u << 5;
static const uint32_t DUQ_CPUID_7_EBX_AVX512F = 1u << 16;
static const uint32_t DUQ_CPUID_7_EBX_AVX512DQ = 1u << 17;
static const uint32_t DUQ_CPUID_7_EBX_AVX512BW = 1u << 30;
static const uint32_t DUQ_CPUID_7_EBX_AVX512VL = 1u << 31;
// cpuid leaf 7 subleaf 1, EAX
static const uint32_t DUQ_CPUID_7_1_EAX_AVX512_BF16 = 1u << 5;
// XCR0: the register state the OS saves (SSE+AVX = bits 1–2; AVX-512 opmask and ZMM = bits 5–7)
static const uint64_t DUQ_XCR0_AVX_STATE = 0x6;
static const uint64_t DUQ_XCR0_AVX512_STATE = 0xE0;

/// The features of the CPU this runs on, masked by what the OS enables (XCR0).
static inline duq_cpu_features duq_cpu_features_read(void) {
    duq_cpu_features f = {0};
#if defined(__x86_64__) || defined(__i386__)
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
    unsigned maxLeaf = a;
    // Vendor string order is EBX, EDX, ECX: "Genu" "ineI" "ntel", "Auth" "enti" "cAMD", "Hygo" "nGen" "uine".
    f.vendor_intel = (b == 0x756e6547u && d == 0x49656e69u && c == 0x6c65746eu);
    f.vendor_amd = (b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u)
                || (b == 0x6f677948u && d == 0x6e65476eu && c == 0x656e6975u);
    if (maxLeaf < 1 || !__get_cpuid(1, &a, &b, &c, &d)) return f;
    unsigned baseFamily = (a >> 8) & 0xF, baseModel = (a >> 4) & 0xF;
    f.family = (int)(baseFamily == 0xF ? baseFamily + ((a >> 20) & 0xFF) : baseFamily);
    f.model = (int)((baseFamily == 0x6 || baseFamily == 0xF) ? baseModel + (((a >> 16) & 0xF) << 4) : baseModel);
    f.sse3 = (c & DUQ_CPUID_1_ECX_SSE3) != 0;
    uint64_t xcr0 = 0;
    if (c & DUQ_CPUID_1_ECX_OSXSAVE) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = ((uint64_t)hi << 32) | lo;
    }
    int avxState = (xcr0 & DUQ_XCR0_AVX_STATE) == DUQ_XCR0_AVX_STATE;
    int avx512State = avxState && (xcr0 & DUQ_XCR0_AVX512_STATE) == DUQ_XCR0_AVX512_STATE;
    f.avx = avxState && (c & DUQ_CPUID_1_ECX_AVX) != 0;
    f.fma = f.avx && (c & DUQ_CPUID_1_ECX_FMA) != 0;
    if (maxLeaf < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    unsigned maxSubleaf7 = a;
    f.avx2 = f.avx && (b & DUQ_CPUID_7_EBX_AVX2) != 0;
    f.avx512f = avx512State && (b & DUQ_CPUID_7_EBX_AVX512F) != 0;
    f.avx512dq = avx512State && (b & DUQ_CPUID_7_EBX_AVX512DQ) != 0;
    f.avx512bw = avx512State && (b & DUQ_CPUID_7_EBX_AVX512BW) != 0;
    f.avx512vl = avx512State && (b & DUQ_CPUID_7_EBX_AVX512VL) != 0;
    if (maxSubleaf7 >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        f.avx512_bf16 = avx512State && (a & DUQ_CPUID_7_1_EAX_AVX512_BF16) != 0;
    }
#endif
    return f;
}
#endif
