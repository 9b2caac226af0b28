import Foundation

/// Snapshot files for screen tests: the expected text lives in `Snapshots/NAME.txt` next to the test file.
///
/// Set `RECORD_SNAPSHOTS=1` to (re)write the files instead of comparing, then review them in the diff.
///
/// ```swift
/// #expect(Snapshot.mismatch(grid.snapshot, named: "main-80x24") == nil)
/// ```
package enum Snapshot {
    /// Nil when `content` matches the stored snapshot (or was just recorded); otherwise a message naming
    /// the first differing line.
    package static func mismatch(_ content: String, named name: String, testFile: String = #filePath) -> String? {
        let dir = URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Snapshots")
        let url = dir.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try content.write(to: url, atomically: true, encoding: .utf8)
                return nil
            } catch {
                return "could not record \(name): \(error)"
            }
        }
        guard let stored = try? String(contentsOf: url, encoding: .utf8) else {
            return "no snapshot \(name).txt; run the tests with RECORD_SNAPSHOTS=1 to record it"
        }
        guard stored != content else { return nil }
        let a = stored.split(separator: "\n", omittingEmptySubsequences: false)
        let b = content.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? String(a[i]) : "<missing>"
            let y = i < b.count ? String(b[i]) : "<missing>"
            if x != y {
                return "snapshot \(name) differs at line \(i + 1):\n  expected: \(x)\n  actual:   \(y)\n"
                    + "(RECORD_SNAPSHOTS=1 re-records; review the diff)"
            }
        }
        return "snapshot \(name) differs"
    }
}
