import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a short-lived child (the BLAS probe) with a deadline that always holds.
///
/// Not `Foundation.Process`: a probe that died of SIGILL was once left a zombie that `Process` never saw
/// exit, and `terminate(); waitUntilExit()` then waited forever (the test suite hung). Here the child is
/// started with `posix_spawn`, polled with `waitpid(WNOHANG)`, and killed with SIGKILL at the deadline,
/// after which `waitpid` returns.
enum ChildProcess {
    /// How the child ended.
    enum Outcome: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        /// It could not be started, or was reaped by someone else.
        case failed(String)
    }

    /// Runs `path` with `arguments` and `environment`, stdin and stderr on /dev/null; returns how it
    /// ended and what it wrote to stdout (at most a pipe's worth: the probe writes one line).
    static func run(_ path: String, arguments: [String], environment: [String: String],
                    timeout: Double) -> (Outcome, String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return (.failed("pipe: \(String(cString: strerror(errno)))"), "") }
        defer { close(fds[0]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        close(fds[1])
        guard rc == 0 else { return (.failed("posix_spawn: \(String(cString: strerror(rc)))"), "") }
        var status: Int32 = 0
        var outcome: Outcome? = nil
        let deadline = Date().addingTimeInterval(timeout)
        while outcome == nil {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                outcome = Self.decode(status)
            } else if r < 0 && errno != EINTR {
                outcome = .failed("waitpid: \(String(cString: strerror(errno)))")
            } else if Date() >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)  // returns: SIGKILL cannot be caught
                outcome = .timedOut
            } else {
                usleep(2000)
            }
        }
        // The child has ended: whatever it wrote is in the pipe, and read returns 0 at its end.
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 { data += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return (outcome!, String(decoding: data, as: UTF8.self))
    }

    static func decode(_ status: Int32) -> Outcome {
        let low = status & 0x7f
        if low == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(low)
    }
}
