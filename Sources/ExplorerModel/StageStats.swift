import DuQuantCore

/// Figures the view needs for a whole stage matrix, computed once off the input thread (with the
/// result) rather than on every frame: the colour scale's maximum and the per-channel profile.
package struct StageStats: Sendable, Equatable {
    /// Largest |x| of the matrix.
    package var maxAbs: Float
    /// Per-channel max |x| over all tokens (the paper's Figure 1).
    package var channelMax: [Float]

    package init(maxAbs: Float, channelMax: [Float]) {
        self.maxAbs = maxAbs
        self.channelMax = channelMax
    }

    /// The statistics of `m`.
    package static func of(_ m: Matrix) -> StageStats {
        let channels = ChannelStats.maxAbs(m)
        return StageStats(maxAbs: channels.max() ?? 0, channelMax: channels)
    }

    /// The statistics of every stage of a calibration.
    package static func of(_ cal: DuQuantCalibration) -> [Stage: StageStats] {
        var out: [Stage: StageStats] = [:]
        for (stage, m) in cal.stages { out[stage] = of(m) }
        return out
    }
}
