#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DuQuantCore

/// The hidden states of one forward pass entering each block, and its perplexity.
///
/// A later pass whose layers differ only from block k on starts from ``entering``[k]
/// (``ModelSession/run(_:from:base:cancel:progress:)``): the blocks before it are not computed again.
public struct ForwardTrace: Sendable {
    /// Hidden states (tokens × hidden) entering block b, for every block.
    public var entering: [Matrix]
    /// Mean negative log-likelihood of the predicted tokens (nats).
    public var meanNLL: Double
    /// Blocks this pass computed (the others came from its base).
    public var blocksComputed: Int

    /// `exp(meanNLL)`.
    public var perplexity: Double { exp(meanNLL) }

    /// Bytes the hidden states hold.
    public var byteCount: Int { entering.reduce(0) { $0 + 4 * $1.count } }
}
