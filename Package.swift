// swift-tools-version:6.0
import PackageDescription

// Hot numeric loops need AVX2/FMA/F16C code generation: without it FMA becomes a library call and
// Float16 conversion is an order of magnitude slower. Guarded so other hosts still build.
#if arch(x86_64)
let fastMath: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let fastMath: [SwiftSetting] = []
#endif
// The core's own fixed-order kernels (FixedOrder: the products whose bits must not depend on BLAS) run
// 30–100× slower unoptimised; the core is optimised in debug builds too, so `swift test` stays usable.
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "DuQuantExplorer",
    products: [
        .executable(name: "duquant-explorer", targets: ["duquant-explorer"]),
        .library(name: "DuQuantCompute", targets: ["DuQuantCompute"]),
        .library(name: "DuQuantCore", targets: ["DuQuantCore"]),
        .library(name: "DuQuantIO", targets: ["DuQuantIO"]),
        .library(name: "DuQuantForward", targets: ["DuQuantForward"]),
    ],
    targets: [
        // MARK: - System libraries (header-only shims, see Sources/C*/shim.h)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // cpuid/xgetbv only: no library to link.
        .systemLibrary(name: "CCPUID"),
        .systemLibrary(name: "CNcursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CFloatEnv"),  // per-thread flush-to-zero (MXCSR), header only
        .systemLibrary(name: "CMalloc"),  // freed heap back to the kernel (malloc_trim), header only
        // C files where state must exist once per process: signal state (Sources/CSignals/signals.c).
        .target(name: "CSignals"),
        // A SIGBUS guard for header mappings of files that shrink while parsed (Sources/CMapGuard/mapguard.c).
        .target(name: "CMapGuard"),

        // MARK: - Numerics and files (no UI)
        // BLAS and CPU plumbing under the core: the library's entry points and thread count, CPU features,
        // flush-to-zero, huge pages, processors and memory of this process.
        .target(name: "DuQuantCompute", dependencies: ["CBLAS", "CCPUID", "CFloatEnv"], swiftSettings: fastMath + optimisedInDebug),
        .target(name: "DuQuantCore", dependencies: ["DuQuantCompute"], swiftSettings: fastMath + optimisedInDebug),
        .target(name: "DuQuantIO", dependencies: ["DuQuantCore", "CZlib", "CMapGuard"], swiftSettings: fastMath),
        // A Llama forward pass beside the core: the model-level figures (perplexity) through the same
        // transforms and quantizers; reads Hugging Face checkpoints through DuQuantIO.
        .target(name: "DuQuantForward", dependencies: ["DuQuantCore", "DuQuantIO"], swiftSettings: fastMath + optimisedInDebug),

        // MARK: - The app: model → view → terminal backend
        .target(name: "ExplorerModel", dependencies: ["DuQuantCore"]),
        .target(name: "ExplorerView", dependencies: ["ExplorerModel", "DuQuantCore"]),
        // The run loop, the effect executor, layer sources and the terminal protocol: between the app and a
        // terminal (the ncurses one, or a scripted one in tests).
        .target(name: "ExplorerRuntime", dependencies: ["DuQuantCore", "DuQuantIO", "ExplorerModel", "ExplorerView", "CMalloc"]),
        .target(name: "TerminalNcurses", dependencies: ["ExplorerRuntime", "ExplorerView", "ExplorerModel", "CNcursesw", "CSignals"]),

        // MARK: - Command line
        .target(name: "ExplorerCLI",
                dependencies: ["DuQuantCompute", "DuQuantCore", "DuQuantIO", "DuQuantForward", "ExplorerModel", "ExplorerView", "ExplorerRuntime", "TerminalNcurses"]),
        // `bench`: timings with a peer in the same run (docs/PERFORMANCE.md), beside the CLI it measures.
        .target(name: "ExplorerBench",
                dependencies: ["DuQuantCompute", "DuQuantCore", "SyntheticLayers", "DuQuantIO", "DuQuantForward", "ExplorerModel", "ExplorerView", "ExplorerRuntime", "ExplorerCLI"]),
        .executableTarget(name: "duquant-explorer", dependencies: ["ExplorerCLI", "ExplorerBench"]),

        // MARK: - Tests and bench inputs
        // Seeded synthetic layers with LLaMA's shapes and outliers: inputs of `bench` and of tests.
        .target(name: "SyntheticLayers", dependencies: ["DuQuantCore"], swiftSettings: fastMath + optimisedInDebug),
        .target(name: "TestSupport", dependencies: ["DuQuantCore", "ExplorerModel", "ExplorerRuntime"],
                path: "Sources/TestSupport"),
        .testTarget(name: "DuQuantComputeTests", dependencies: ["DuQuantCompute"]),
        .testTarget(name: "DuQuantCoreTests", dependencies: ["DuQuantCore", "DuQuantCompute", "SyntheticLayers", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DuQuantIOTests", dependencies: ["DuQuantIO", "DuQuantCore"],
                    resources: [.copy("Fixtures")]),
        // Its fixture (a tiny random Llama with NumPy's perplexities) is made by Tests/DuQuantForwardTests/make_fixture.py.
        .testTarget(name: "DuQuantForwardTests", dependencies: ["DuQuantForward", "DuQuantCore", "DuQuantIO"],
                    exclude: ["make_fixture.py"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ExplorerModelTests", dependencies: ["ExplorerModel", "DuQuantCore", "TestSupport"]),
        .testTarget(name: "ExplorerViewTests", dependencies: ["ExplorerView", "ExplorerModel", "ExplorerRuntime", "DuQuantCore", "TestSupport"],
                    exclude: ["Snapshots", "Fixtures"]),
        .testTarget(name: "ExplorerRuntimeTests", dependencies: ["ExplorerRuntime", "ExplorerModel", "DuQuantCore", "TestSupport"]),
        .testTarget(name: "TerminalNcursesTests", dependencies: ["TerminalNcurses", "ExplorerModel", "CNcursesw"]),
        .testTarget(name: "ExplorerCLITests",
                    dependencies: ["ExplorerCLI", "ExplorerBench", "TerminalNcurses", "ExplorerRuntime", "ExplorerView", "ExplorerModel",
                                   "DuQuantIO", "DuQuantCore", "DuQuantCompute", "TestSupport"]),
        .testTarget(name: "ExplorerBenchTests",
                    dependencies: ["ExplorerBench", "ExplorerCLI", "SyntheticLayers", "DuQuantIO", "DuQuantCore", "TestSupport"]),
        .testTarget(name: "SyntheticLayersTests", dependencies: ["SyntheticLayers", "DuQuantCore"]),
        // Package.swift against the code: dependency lists equal imports, one test target per module, the
        // import rules of docs/ARCHITECTURE.md.
        .testTarget(name: "ArchitectureTests"),
    ]
)
