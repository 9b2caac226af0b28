/// One greedy candidate as a shard reports it: row-major index in the whole searched matrix (global), its
/// screened value and the bound on `|screened − exact|`.
package typealias ShardCandidate = (index: Int, value: Double, bound: Double)

/// A token shard of a sharded DuQuant calibration as the driver sees it (``DuQuantShards``), wherever it
/// runs: in this process (``DuQuantShard``) or in a worker process (`shard-worker`, docs/DISTRIBUTED.md).
///
/// Every call is one request and its answer. The numerics stay with the shard; the driver only reduces
/// (maxima, the union of candidates) and decides through the same code as one machine (``GreedyDecider``).
package protocol DuQuantShardLink: AnyObject {
    /// The shard's tokens: rows `tokens` of the whole activation.
    var tokens: Range<Int> { get }
    /// Its per-channel max |x| of the raw activation (for the smoothing scales).
    func channelMaxAbs() -> [Float]
    /// Starts the calibration with the smoothing scales (nil: none): the first stage's screen.
    func begin(scales: [Float]?)
    /// Starts rotation stage `stage`, whose screen is within `bound` of the exact input (the max over shards).
    func beginStage(_ stage: Int, bound: Double)
    /// Starts search `search` of the stage (``DuQuantShards/searches(_:cols:)``).
    func beginSearch(_ search: Int)
    /// Starts computing step `step`'s candidates without waiting (a remote shard: every shard's at once).
    func prefetchCandidates(step: Int)
    /// Step `step`'s candidates for the largest and smallest entry (each within its bound of the shard's best).
    func candidates(step: Int) -> (max: [ShardCandidate], min: [ShardCandidate])
    /// The exact value at global index `index` after the first `step` chosen steps.
    func exact(index: Int, at step: Int) -> Double
    /// Takes the decided step: rotates by the exchanged stage rotation for `channel`.
    func advance(channel: Int)
    /// Ends the stage with every block's kept steps; returns the shard's bound on the next stage's screen
    /// (0 after the last stage).
    func endStage(kept: [[Int]]) -> Double
    /// Each channel's screened max |x| of the shard's next-stage screen (zigzag ranking).
    func screenChannelMax() -> [Double]
    /// The largest exact |x| of `channel` over the shard's tokens whose screened |x| is at least `threshold`.
    func exactChannelMax(channel: Int, threshold: Double) -> Double
    /// Applies the zigzag permutation (`out[:, i] = x[:, perm[i]]`) to the screen and the exact stages.
    func permute(_ perm: [Int])
}

extension DuQuantShardLink {
    /// Nothing to start ahead in this process.
    package func prefetchCandidates(step: Int) {}
}
