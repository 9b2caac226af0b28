import ExplorerCLI
#if canImport(Glibc)
import Glibc
#endif

signal(SIGPIPE, SIG_IGN)
exit(CLI.run(Array(CommandLine.arguments.dropFirst())))
