import DuQuantCore
import ExplorerModel

/// The words of the help overlay: every key, and what each stage does to outliers.
package enum HelpText {
    /// The help's rows: every key of ``KeyTable`` (one row per help entry, in table order), then the mouse.
    package static var keys: [(String, String)] {
        KeyTable.helpRows.map { ($0.keys, $0.text) } + [mouse]
    }

    /// The mouse is not a key: its row is written here.
    package static let mouse = ("mouse", "click a layer, a heatmap cell, a parameter or a stage tab; wheel scrolls")

    /// The help's section about the open sample, from its sidecar's explanation.
    package static let sampleTitle = "About this sample"

    /// A few sentences on what `stage` does to outliers and why.
    package static func explanation(_ stage: Stage) -> String {
        switch stage {
        case .original:
            return "The activations entering the layer, tokens down, channels across. A few channels carry "
                + "values tens or hundreds of times larger than the rest (normal outliers), and some tokens "
                + "carry massive ones. A 4-bit quantizer must stretch its 16 levels to cover them, so "
                + "everything else rounds to almost nothing."
        case .smoothed:
            return "SmoothQuant-style smoothing divides each channel by s = max|x|^α / max|w|^(1−α) and "
                + "multiplies the weight by s, so the product is unchanged. It moves part of the outlier "
                + "difficulty from activations into weights; massive outliers remain."
        case .rotation1:
            return "A block-diagonal orthogonal rotation, built greedily: each step finds the channel with "
                + "the largest |x| in a block and multiplies the block by a rotation whose row for that "
                + "channel is uniform (1/√n each), spreading the outlier over every channel of the block. "
                + "The search runs up to the step limit and keeps the prefix of steps with the lowest range "
                + "(max − min) of the block."
        case .permutation:
            return "A zigzag permutation deals channels to blocks by their max |x| (largest to block 1, "
                + "next to block 2, …, then back), so every block gets a similar share of outliers. The "
                + "variance of the block means shows how even the blocks are."
        case .rotation2:
            return "A second greedy rotation inside the new blocks smooths what the first one and the "
                + "permutation left. The result X' = X·diag(s)⁻¹·R₁·P·R₂ is what gets quantized; "
                + "the weight's input dimension gets W' = W·diag(s)·R₁·P·R₂, and as the rotations and "
                + "the permutation are orthogonal, X'W'ᵀ = XWᵀ before quantization."
        case .quantError:
            return "|X' − Q(X')| after per-token quantization (the act bits and clip you set) of the final "
                + "activation. Bright cells "
                + "are where quantization loses information; compare with the same view for RTN by "
                + "setting the steps to 0 and turning smoothing off."
        }
    }

    /// `text` wrapped into lines of at most `width` columns.
    package static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if CellGrid.columns(line) + 1 + CellGrid.columns(String(word)) <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
