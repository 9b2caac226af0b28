/// DuQuant's zigzag permutation: deals channels, sorted by max |x|, across blocks so that every block
/// receives a fair share of outliers.
///
/// Channels sorted by max |x| descending go to blocks `0, 1, …, K−1, K−1, K−2, …, 0, 0, 1, …` (the turn
/// repeats the end block, as the reference does); inside each block channels are sorted by max |x|
/// descending. A last partial block takes channels only while it has room. Ties keep channel order.
///
/// ```swift
/// let perm = Zigzag.permutation(channelMax: [9, 1, 8, 2], block: 2)   // [0, 1, 2, 3]
/// ```
public enum Zigzag {
    /// The permutation `perm` with `out[:, i] = x[:, perm[i]]`.
    public static func permutation(channelMax: [Float], block: Int) -> [Int] {
        let order = channelMax.indices.sorted { a, b in
            let va = channelMax[a], vb = channelMax[b]
            return va != vb ? va > vb : a < b
        }
        return permutation(ranked: order, block: block)
    }

    /// The permutation dealing channels already ranked (`order`: largest max |x| first), as above.
    public static func permutation(ranked order: [Int], block: Int) -> [Int] {
        precondition(block > 0)
        let c = order.count
        guard c > 0 else { return [] }
        let k = (c + block - 1) / block
        let capacity = (0..<k).map { Swift.min(block, c - $0 * block) }
        var buckets = [[Int]](repeating: [], count: k)
        var cur = 0, up = true
        func advance() {
            if up {
                cur += 1
                if cur == k { cur = k - 1; up = false }
            } else {
                cur -= 1
                if cur == -1 { cur = 0; up = true }
            }
        }
        for ch in order {
            // Only a partial last block can be full early; skip full blocks along the same path.
            var guardSteps = 0
            while buckets[cur].count >= capacity[cur] && guardSteps < 2 * k + 2 { advance(); guardSteps += 1 }
            buckets[cur].append(ch)
            advance()
        }
        // Dealing order is already by max descending; the in-block sort keeps that (stable by rank).
        return buckets.flatMap { $0 }
    }
}
