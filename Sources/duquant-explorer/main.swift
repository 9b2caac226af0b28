import ExplorerBench
import ExplorerCLI
#if canImport(Glibc)
import Glibc
#endif

signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())
// First: may re-execute the process with better BLAS kernels (see BLASCoreSelection).
BLASCoreSelection.prepare(arguments: arguments)
let status = CLI.run(arguments, commands: ["bench": BenchCommand.run])
// Leave without exit handlers: background work of the explorer may still be inside OpenBLAS (its jobs are
// cancelled, not joined), and OpenBLAS's teardown frees the buffers such a thread is using ("BLAS : Bad memory
// unallocation", then a crash). Every output stream is flushed first; files are closed by their writers.
fflush(nil)
_exit(status)
