/// A problem with a dump file, reported as one line: `<file>: <what is wrong>`.
///
/// Every failure in `DuQuantIO` is a `DumpError`: a malformed header, a tensor that cannot be
/// converted, a layer whose input and weight disagree. The description never spans lines, so it
/// can go straight into a status bar or a log.
///
/// ```swift
/// do { _ = try DumpFile.open("x.npz") } catch { print(error) }  // x.npz: member a.npy: CRC mismatch
/// ```
public struct DumpError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file (or directory) the problem is in, as the caller named it.
    public var file: String
    /// What is wrong, without the file name.
    public var message: String

    /// A problem in `file` (as the caller named it); `message` leaves the file name out.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// `<file>: <message>`, one line: control characters from the file (a tensor name with ESC or a
    /// newline, say) are shown as visible escapes (``DisplayText``).
    public var description: String {
        DisplayText.escaped("\(file): \(message)")
    }
}
