import Foundation

/// Paths of the files in `Fixtures/`, written by tools/fixtures/make_io_fixtures.py.
enum Fixture {
    static let directory: String = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("Fixtures resource missing from the test bundle")
        }
        return url.path
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    /// `arange(n) * 0.5 - 2`, the values every fixture tensor is made of.
    static func grid(_ n: Int, plus offset: Float = 0) -> [Float] {
        (0..<n).map { Float($0) * 0.5 - 2 + offset }
    }
}
