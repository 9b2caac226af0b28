import ExplorerView
import Foundation

/// The themes on offer: the built-in four, overridden or extended by `*.theme` files found on disk. The
/// view never touches the disk; the command line reads the files and hands the themes in.
enum ThemeFiles {
    /// Built-in themes plus every readable `*.theme` in `directories` (a file replaces the built-in theme
    /// of the same name). Unreadable or invalid files are reported in `problems`, not fatal.
    package static func load(directories: [String]) -> (themes: [Theme], problems: [String]) {
        var themes = (try? ThemeLibrary.builtin()) ?? []
        var problems: [String] = []
        var seen = Set<String>()
        for dir in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for file in names.sorted() where file.hasSuffix(".theme") {
                let name = String(file.dropLast(6))
                guard !seen.contains(name) else { continue }
                let path = (dir as NSString).appendingPathComponent(file)
                do {
                    let text = try String(contentsOfFile: path, encoding: .utf8)
                    let theme = try Theme.parse(name: name, text: text)
                    seen.insert(name)
                    if let i = themes.firstIndex(where: { $0.name == name }) { themes[i] = theme } else { themes.append(theme) }
                } catch {
                    problems.append("theme \(file): \(error)")
                }
            }
        }
        return (themes, problems)
    }

    /// Where theme files are looked for: `$DUQUANT_THEMES`, `./themes`, and `themes/` beside or above the
    /// executable (covers `.build/debug/duquant-explorer` run from a checkout).
    package static func searchPath(executable: String, environment: [String: String]) -> [String] {
        var dirs: [String] = []
        if let env = environment["DUQUANT_THEMES"], !env.isEmpty { dirs.append(env) }
        dirs.append(FileManager.default.currentDirectoryPath + "/themes")
        var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            dirs.append(dir.appendingPathComponent("themes").path)
            dir.deleteLastPathComponent()
        }
        return dirs
    }
}
