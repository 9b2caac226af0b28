import DuQuantCompute
import DuQuantCore

/// The BLAS library, its version and the core in use, as `--version` and `bench` print them.
extension BLASCoreSelection {
    /// "OpenBLAS 0.3.21 (OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH … MAX_THREADS=64)".
    package static var libraryLine: String { "\(BLASLibrary.libraryVersion) (\(BLASLibrary.config))" }

    /// "Zen (the library's own choice; the CPU's features call for Zen)", and so on for each status.
    package static var coreLine: String {
        switch status {
        case .library(let core, let wanted):
            return "\(core) (the library's own choice; the CPU's features call for \(wanted ?? "nothing newer"))"
        case .environment(let core, let requested):
            return "\(core) (OPENBLAS_CORETYPE=\(requested) set in the environment; never overridden)"
        case .chosen(let core, let library):
            return "\(core) (chosen from the CPU's features and checked; the library alone chose \(library))"
        case .rejected(let core, let wanted, let reason):
            return "\(core) (the library's own choice; \(wanted) failed its check: \(reason))"
        case .undecided(let core):
            return "\(core) (the library's own choice)"
        }
    }

    /// The two lines `--version` prints after the program's version.
    package static var versionLines: String {
        "BLAS: \(libraryLine)\nBLAS core: \(coreLine)\nCPU: \(CPUFeatures.current)\n"
    }
}
