import DuQuantCore

/// What the explorer and the command line call each stage: names belong to the app, not the numerics.
extension Stage {
    /// Human-readable name.
    package var title: String {
        switch self {
        case .original: "Original"
        case .smoothed: "Smoothed"
        case .rotation1: "Rotation 1"
        case .permutation: "Permutation"
        case .rotation2: "Rotation 2"
        case .quantError: "Quantized error"
        }
    }

    /// Command-line name (`--stage`).
    package var key: String {
        switch self {
        case .original: "original"
        case .smoothed: "smoothed"
        case .rotation1: "rotation1"
        case .permutation: "permutation"
        case .rotation2: "rotation2"
        case .quantError: "error"
        }
    }
}
