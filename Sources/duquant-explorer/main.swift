import ExplorerCLI
#if canImport(Glibc)
import Glibc
#endif

signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())
// First: may re-execute the process with better BLAS kernels (see BLASCoreSelection).
BLASCoreSelection.prepare(arguments: arguments)
exit(CLI.run(arguments))
