import Foundation
import Testing

/// Issue 24: no function, initializer or subscript in ExplorerModel or ExplorerView runs over 60 lines
/// (from its declaration to its closing brace), so each can be read at once.
@Suite struct FunctionLengthTests {
    static let limit = 60

    /// `line` without string literals and `//` comments (braces in them do not count).
    static func code(_ line: String) -> String {
        var out = "", inString = false, escaped = false, previous: Character = " "
        for ch in line {
            if inString {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
            } else if ch == "\"" {
                inString = true
            } else if ch == "/" && previous == "/" {
                out.removeLast()
                break
            } else {
                out.append(ch)
            }
            previous = ch
        }
        return out
    }

    // A Regex is not Sendable; this one is a constant, only matched against.
    nonisolated(unsafe) static let declaration = #/^\s*(?:@\w+\s+)*(?:(?:package|public|private|fileprivate|internal|static|mutating|override|nonisolated|final)\s+)*(?:func\s+[^\s(<]+|init[?!]?\s*[(<]|subscript\s*\()/#

    /// (lines, "path:line name") of every function in the Swift files under `dir`.
    static func functions(under dir: URL) throws -> [(Int, String)] {
        var found: [(Int, String)] = []
        let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for file in files where file.pathExtension == "swift" {
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            for (i, line) in lines.enumerated() where line.firstMatch(of: declaration) != nil {
                var depth = 0, started = false, j = i
                scan: while j < lines.count {
                    for ch in code(lines[j]) {
                        if ch == "{" { depth += 1; started = true } else if ch == "}" { depth -= 1 }
                        if started && depth == 0 { break scan }
                    }
                    if !started && j > i + 8 { break }  // a protocol requirement: no body
                    j += 1
                }
                if started { found.append((j - i + 1, "\(file.lastPathComponent):\(i + 1) \(line.trimmingCharacters(in: .whitespaces))")) }
            }
        }
        return found
    }

    @Test(arguments: ["ExplorerModel", "ExplorerView"])
    func noFunctionIsLongerThanTheLimit(module: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let all = try Self.functions(under: root.appendingPathComponent("Sources/\(module)"))
        #expect(all.count > 50, "the scan found too few functions to be working")
        for (n, name) in all where n > Self.limit { Issue.record("\(n) lines: \(name)") }
    }

    /// The scan itself: a known function's length, braces in strings and comments ignored.
    @Test func theScanMeasuresAFunctionToItsClosingBrace() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("funclen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "struct A {\n    static func f() -> String {\n        let s = \"}\" // }\n        return s\n    }\n}\n"
        try text.write(to: dir.appendingPathComponent("A.swift"), atomically: true, encoding: .utf8)
        let found = try Self.functions(under: dir)
        #expect(found.count == 1 && found.first?.0 == 4)
    }
}
