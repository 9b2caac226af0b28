import Foundation
import Testing

/// Keeps the access rule of the package: only the library products (DuQuantCompute, DuQuantCore, DuQuantIO, DuQuantForward) declare
/// `public` API, and every such declaration opens with a `///` summary.
///
/// The check reads the sources as text, line by line: a declaration is a line that begins, after any
/// attributes (`@inlinable`), with modifiers one of which is `public` or `open`. Its summary is the
/// nearest line above that is not an attribute line, and it must start with `///`. Declarations inside
/// a `public extension` carry no modifier of their own and are not checked.
@Suite struct PublicDocsTests {
    /// The modules that are library products; every other Swift module uses `package` at most.
    static let products: Set<String> = ["DuQuantCompute", "DuQuantCore", "DuQuantIO", "DuQuantForward"]

    /// `Sources/` of this package, found from this file: `Tests/DuQuantCoreTests/PublicDocsTests.swift`.
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// Words that may stand before a declaration's keyword (`class` is left out: it is also a keyword).
    static let modifierWords: Set<String> = [
        "public", "open", "package", "internal", "fileprivate", "private", "final", "static", "nonisolated",
        "override", "mutating", "nonmutating", "convenience", "required", "indirect", "lazy", "dynamic",
        "weak", "unowned", "optional", "prefix", "postfix", "infix", "consuming", "borrowing",
    ]

    /// The words that begin a declaration once its modifiers are read.
    static let declarationKeywords: Set<String> = [
        "var", "let", "func", "init", "deinit", "subscript", "struct", "class", "enum", "protocol", "typealias",
        "actor", "case", "extension", "import", "associatedtype", "macro", "operator", "precedencegroup",
    ]

    @Test func everyPublicDeclarationOfTheProductsHasASummary() throws {
        var missing: [String] = []
        var declarations = 0
        for module in Self.products.sorted() {
            let files = try Self.swiftFiles(module)
            #expect(!files.isEmpty, "no Swift files found in Sources/\(module)")
            for (path, lines) in files {
                for (i, line) in lines.enumerated() {
                    guard let (modifiers, keyword) = Self.declaration(line),
                          !modifiers.isDisjoint(with: ["public", "open"]),
                          keyword != "extension", keyword != "import" else { continue }
                    declarations += 1
                    var above = i - 1
                    while above >= 0, Self.isAttributeOnly(lines[above]) { above -= 1 }
                    if above < 0 || !Self.trimmed(lines[above]).hasPrefix("///") {
                        missing.append("\(path):\(i + 1): \(Self.trimmed(line))")
                    }
                }
            }
        }
        // Guards against a vacuous pass (a moved file, a parser that matches nothing).
        #expect(declarations > 300, "only \(declarations) public declarations found")
        #expect(missing.isEmpty, "public declarations without a /// summary:\n\(missing.joined(separator: "\n"))")
    }

    @Test func modulesThatAreNotProductsDeclareNothingPublic() throws {
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
            .filter { !Self.products.contains($0) }.sorted()
        var found: [String] = []
        var files = 0
        for module in modules {
            for (path, lines) in try Self.swiftFiles(module) {
                files += 1
                for (i, line) in lines.enumerated() {
                    guard let (modifiers, _) = Self.declaration(line),
                          !modifiers.isDisjoint(with: ["public", "open"]) else { continue }
                    found.append("\(path):\(i + 1): \(Self.trimmed(line))")
                }
            }
        }
        #expect(modules.contains("ExplorerModel") && modules.contains("TestSupport") && files > 50,
                "the modules that are not products were not found (\(files) files in \(modules))")
        #expect(found.isEmpty, "public in a module that is not a product (use package):\n\(found.joined(separator: "\n"))")
    }

    /// The `.swift` files under `Sources/<module>`, as (path from the package root, lines), sorted by path.
    static func swiftFiles(_ module: String) throws -> [(String, [Substring])] {
        let dir = sources.appendingPathComponent(module)
        guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        var out: [(String, [Substring])] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            let relative = "Sources/\(module)/" + url.path.dropFirst(dir.path.count + 1)
            out.append((relative, text.split(separator: "\n", omittingEmptySubsequences: false)))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    static func trimmed(_ line: Substring) -> Substring {
        line.drop { $0 == " " || $0 == "\t" }
    }

    /// `line` without its leading attributes (`@inlinable`, `@available(*, deprecated)`) and blanks.
    static func droppingAttributes(_ line: Substring) -> Substring {
        var rest = trimmed(line)
        while rest.first == "@" {
            rest = rest.dropFirst().drop { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            if rest.first == "(" {
                var depth = 0
                rest = rest.drop { c in
                    if c == "(" { depth += 1 } else if c == ")" { depth -= 1; if depth == 0 { return true } }
                    return depth > 0
                }.dropFirst()
            }
            rest = trimmed(rest)
        }
        return rest
    }

    /// Whether `line` holds attributes and nothing else.
    static func isAttributeOnly(_ line: Substring) -> Bool {
        trimmed(line).first == "@" && droppingAttributes(line).isEmpty
    }

    /// The modifiers that open `line` (`private(set)` counts as `private`) and the declaration keyword after
    /// them, or nil when the line is not a declaration with modifiers (a comment, a statement, text of a
    /// multi-line string, a bare `func`).
    static func declaration(_ line: Substring) -> (modifiers: Set<String>, keyword: String)? {
        var modifiers: Set<String> = []
        for word in droppingAttributes(line).split(separator: " ") {
            let name = String(word.prefix { $0.isLetter })
            if modifierWords.contains(name) && (word.count == name.count || word.dropFirst(name.count).first == "(") {
                modifiers.insert(name)
            } else {
                return !modifiers.isEmpty && declarationKeywords.contains(name) ? (modifiers, name) : nil
            }
        }
        return nil
    }
}
