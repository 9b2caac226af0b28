/// A parse failure inside one file, before the file's name is attached.
///
/// The low-level parsers (JSON, Python literals, .npy headers, zip records) throw this; the code that
/// knows which file (and which member) it was reading turns it into a `DumpError`.
struct FormatError: Error {
    var message: String

    init(_ message: String) { self.message = message }

    /// This failure as a `DumpError` in `file`, optionally prefixed with a context such as a member name.
    func `in`(_ file: String, context: String? = nil) -> DumpError {
        DumpError(file: file, message: context.map { "\($0): \(message)" } ?? message)
    }
}
