import DuQuantCore

/// Greedy step-through (`s`): the heatmap after each greedy step of a rotation, one block's trace below.
/// Its state is the heatmap's ``HeatmapState/step`` (nil while off).
package enum StepThrough {
    package enum Msg: Sendable {
        /// `s`: on (from the first rotation's loudest block), or off.
        case toggle
        /// Esc: off.
        case leave
        /// `. , > <`: `by` steps on (or back), inside the rotation's steps.
        case move(Int)
        /// `r`: the next rotation stage, from its first step and its loudest block.
        case nextRotation
        /// `b`: the next block's trace in the panel below (the heatmap stays).
        case nextBlock
        /// New figures arrived: the rotation, block and step stay inside what the calibration has.
        case evaluated
        /// The heatmap after `step` steps of rotation `rotation` arrived (shown if still on that rotation).
        case stepped(rotation: Int, step: Int, matrix: Matrix, stats: StageStats)
    }

    package static func update(_ step: inout StepState?, _ msg: Msg, _ ctx: Context) -> [Request] {
        let calibration = ctx.shared.calibration
        switch msg {
        case .toggle:
            if step != nil {
                step = nil
                return []
            }
            guard calibration != nil else { return [.notice("step-through needs the calibration; it is still computing")] }
            var s = StepState()
            s.traceIndex = loudestTrace(calibration, rotation: 0)
            step = s
            return [.focusHeatmapFromList, .requestStep]
        case .leave:
            step = nil
            return []
        case let .stepped(rotation, n, matrix, stats):
            guard step?.rotation == rotation else { return [] }
            step?.matrix = matrix
            step?.stats = stats
            step?.shownStep = n
            return []
        default:
            guard var s = step else { return [] }
            let requests = change(&s, msg, calibration)
            step = s
            return requests
        }
    }

    /// The changes that need step-through on.
    static func change(_ s: inout StepState, _ msg: Msg, _ calibration: DuQuantCalibration?) -> [Request] {
        switch msg {
        case .move(let n):
            s.step = min(maxSteps(calibration, rotation: s.rotation), max(0, s.step + n))
        case .nextRotation:
            let rotations = calibration?.traces.count ?? 0
            guard rotations > 0 else { return [] }
            s.rotation = (s.rotation + 1) % rotations
            s.step = 0
            s.traceIndex = loudestTrace(calibration, rotation: s.rotation)
            s.matrix = nil
        case .nextBlock:
            let blocks = calibration?.traces[s.rotation].count ?? 1
            s.traceIndex = (s.traceIndex + 1) % max(1, blocks)
            return []
        case .evaluated:
            // New parameters may bring fewer rotation stages, blocks or steps.
            let stages = calibration?.traces.count ?? 0
            s.rotation = min(s.rotation, max(0, stages - 1))
            s.traceIndex = min(s.traceIndex, max(0, (calibration?.traces[s.rotation].count ?? 1) - 1))
            s.step = min(s.step, maxSteps(calibration, rotation: s.rotation))
        default: return []
        }
        return [.requestStep]
    }

    /// The block whose search starts from the highest peak: where the massive outlier is, the most
    /// instructive one to step through first (`b` moves to the others).
    static func loudestTrace(_ calibration: DuQuantCalibration?, rotation: Int) -> Int {
        guard let traces = calibration?.traces, traces.indices.contains(rotation) else { return 0 }
        let peaks = traces[rotation].map { $0.peaks.first ?? 0 }
        return peaks.indices.max { peaks[$0] < peaks[$1] } ?? 0
    }

    /// Greedy steps available in rotation stage `rotation` (the longest block trace).
    package static func maxSteps(_ calibration: DuQuantCalibration?, rotation: Int) -> Int {
        guard let traces = calibration?.traces, traces.indices.contains(rotation) else { return 0 }
        return traces[rotation].map(\.chosen.count).max() ?? 0
    }
}
