// A test hook for `export --all-layers`: a write that fails as on a full disk, at a chosen file, so the
// tests can check what a failure half-way leaves without filling a disk.
extension ExportCommand {
    /// The number of files an `--all-layers` run writes before its next write fails with "No space left
    /// on device": its layer files count from 0, then its index, then a merged `index.json`. Nil (always,
    /// outside tests): no failure. Task-local, so tests running at once do not see each other's.
    @TaskLocal package static var failingWrite: Int?

    /// Throws the simulated failure when `count` files were written and the hook asks for it.
    static func simulateWriteFailure(_ count: Int, _ file: String) throws(CLIError) {
        guard failingWrite == count else { return }
        throw CLIError("\(file): cannot write: after 0 bytes: No space left on device (simulated)")
    }
}
