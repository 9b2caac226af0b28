import Foundation
import Testing

/// Package.swift against the code: each target lists exactly the package modules its files import, every
/// module has its test target, and the import rules of docs/ARCHITECTURE.md hold.
///
/// The manifest and the sources are read as text (``Manifest``), so a wrong list fails here with the
/// target and module named, rather than compiling by luck through another target's dependencies.
@Suite struct ManifestTests {
    static let manifest = Manifest.read()

    @Test func theManifestWasRead() {
        // Guards against a vacuous pass (a parser that matches nothing).
        #expect(Self.manifest.targets.count > 20, "\(Self.manifest.targets.map(\.name))")
        #expect(Self.manifest.targets.contains { $0.name == "DuQuantCore" && !$0.imports.isEmpty })
    }

    @Test func everyTargetListsExactlyThePackageModulesItImports() {
        let modules = Set(Self.manifest.targets.map(\.name))
        for target in Self.manifest.targets where target.hasSwift {
            let imported = target.imports.intersection(modules)
            let listed = Set(target.dependencies)
            #expect(imported.subtracting(listed).isEmpty,
                    "\(target.name) imports \(imported.subtracting(listed).sorted()) without listing it in Package.swift")
            #expect(listed.subtracting(imported).isEmpty,
                    "\(target.name) lists \(listed.subtracting(imported).sorted()) in Package.swift but never imports it")
        }
    }

    /// Modules without a test target of their own, each with the reason.
    static let untested: [String: String] = [
        "TestSupport": "test helpers, exercised by every test target that uses them",
        "duquant-explorer": "the executable's main.swift, driven end to end by tests/e2e",
    ]

    @Test func everyModuleHasATestTarget() {
        let tests = Set(Self.manifest.targets.filter(\.isTest).map(\.name))
        for target in Self.manifest.targets where !target.isTest && target.hasSwift && Self.untested[target.name] == nil {
            #expect(tests.contains(target.name + "Tests"), "\(target.name) has no test target \(target.name)Tests")
        }
    }

    /// docs/ARCHITECTURE.md's table, "may import": package modules, C shims and system modules alike.
    static let mayImport: [String: Set<String>] = [
        "DuQuantCompute": ["CBLAS", "CCPUID", "CFloatEnv", "Glibc", "Darwin"],
        "DuQuantCore": ["DuQuantCompute", "Dispatch", "Synchronization", "Glibc", "Darwin"],
        "DuQuantIO": ["DuQuantCore", "CZlib", "CMapGuard", "Foundation", "Glibc", "Darwin"],
        "ExplorerModel": ["DuQuantCore"],
        "ExplorerView": ["ExplorerModel", "DuQuantCore", "Foundation"],
        "ExplorerRuntime": ["DuQuantCore", "DuQuantIO", "ExplorerModel", "ExplorerView", "CMalloc", "Foundation", "Dispatch"],
        "TerminalNcurses": ["ExplorerRuntime", "ExplorerView", "ExplorerModel", "CNcursesw", "CSignals", "Glibc", "Darwin"],
        "SyntheticLayers": ["DuQuantCore", "Dispatch", "Glibc", "Darwin"],
    ]

    @Test func modulesImportOnlyWhatTheArchitectureAllows() {
        for (name, allowed) in Self.mayImport {
            guard let target = Self.manifest.targets.first(where: { $0.name == name }) else {
                Issue.record("no target \(name) in Package.swift")
                continue
            }
            #expect(target.imports.subtracting(allowed).isEmpty,
                    "\(name) imports \(target.imports.subtracting(allowed).sorted()); docs/ARCHITECTURE.md allows \(allowed.sorted())")
        }
    }

    @Test func theCoreIsGroupedByRole() throws {
        // Only role folders under Sources/DuQuantCore: no file sits at the top.
        let core = Manifest.root.appendingPathComponent("Sources/DuQuantCore")
        let entries = try FileManager.default.contentsOfDirectory(atPath: core.path).sorted()
        #expect(entries == ["Basics", "Evaluation", "Methods", "Quantization", "Rotations", "Statistics"], "\(entries)")
    }
}

/// The targets of Package.swift, read as text, with the modules each one's Swift files import.
struct Manifest {
    struct Target {
        var name: String
        var isTest: Bool
        var dependencies: [String]
        var directory: URL
        /// Every module a file of the target imports (`import X`, `@testable import X`, inside `#if` too).
        var imports: Set<String> = []
        var hasSwift = false
    }

    var targets: [Target]

    /// The package root, found from this file: `Tests/ArchitectureTests/ManifestTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func read() -> Manifest {
        let text = (try? String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)) ?? ""
        var targets: [Target] = []
        // `.target(name: "X", dependencies: [...], path: "...")`, `.testTarget(…)`, `.executableTarget(…)`,
        // `.systemLibrary(…)`: each from its opening to the next declaration.
        let starts = text.ranges(of: /\.(target|testTarget|executableTarget|systemLibrary)\(name: "([^"]+)"/)
        for (i, range) in starts.enumerated() {
            let end = i + 1 < starts.count ? starts[i + 1].lowerBound : text.endIndex
            let body = text[range.lowerBound..<end]
            guard let head = body.firstMatch(of: /\.(target|testTarget|executableTarget|systemLibrary)\(name: "([^"]+)"/)
            else { continue }
            let kind = String(head.1), name = String(head.2)
            var dependencies: [String] = []
            if let list = body.firstMatch(of: /dependencies: \[([^\]]*)\]/) {
                dependencies = list.1.matches(of: /"([^"]+)"/).map { String($0.1) }
            }
            let path = body.firstMatch(of: /path: "([^"]+)"/).map { String($0.1) }
                ?? (kind == "testTarget" ? "Tests/\(name)" : "Sources/\(name)")
            var target = Target(name: name, isTest: kind == "testTarget", dependencies: dependencies,
                                directory: root.appendingPathComponent(path))
            (target.imports, target.hasSwift) = imports(under: target.directory)
            targets.append(target)
        }
        return Manifest(targets: targets)
    }

    /// The modules imported by the `.swift` files under `dir`, and whether there are any such files.
    static func imports(under dir: URL) -> (Set<String>, Bool) {
        guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return ([], false) }
        var modules: Set<String> = []
        var any = false
        for case let url as URL in walker where url.pathExtension == "swift" {
            any = true
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            // Regex matching is slow in debug builds: only lines that mention `import` are matched.
            for line in text.split(separator: "\n") where line.contains("import ") {
                if let m = line.wholeMatch(of: /\s*(?:@\w+\s+)*(?:(?:public|package|internal)\s+)?import\s+(?:(?:struct|class|enum|func|var|let|protocol|typealias)\s+)?(\w+)(?:\.\w+)*\s*/) {
                    modules.insert(String(m.1))
                }
            }
        }
        return (modules, any)
    }
}
