import DuQuantCore
import ExplorerModel
import ExplorerRuntime
import Foundation

/// "Big layers feel live": when the explorer's own executor shows figures for a layer it has just opened
/// with the given parameters: the first figure of any method, the first of DuQuant (an estimate on a large
/// layer), and the exact figures. The real `EffectExecutor` runs inline, as the explorer runs it on its
/// evaluation thread; only the screen is missing.
enum BenchLive {
    /// One layer in memory, served as the explorer's layer source.
    struct OneLayer: LayerSource {
        let layer: LayerData
        var files: [String] { ["bench"] }
        var problems: [String] { [] }
        var entries: [LayerEntry] {
            [LayerEntry(name: layer.name, kind: "down", tokens: layer.tokens, inFeatures: layer.inFeatures,
                        outFeatures: layer.outFeatures)]
        }
        func load(_ index: Int) throws(LayerSourceError) -> (LayerData, [String]?) { (layer, nil) }
    }

    struct Times: Sendable {
        /// Seconds from the request to the first figure of any method, to DuQuant's first, to the exact figures.
        var firstAny: Double?
        var firstDuQuant: Double?
        var firstDuQuantWasEstimate = false
        var exact: Double?
        /// Seconds to DuQuant's exact figure (the others may still be estimates).
        var exactDuQuant: Double?
        /// Each method's output error as first shown (an estimate on a large layer) and exactly.
        var firstErrors: [Method: Float] = [:]
        /// Each method's own time in the first pass (its transform, quantization and measurement).
        var firstSeconds: [Method: Double] = [:]
        var exactErrors: [Method: Float] = [:]
        /// DuQuant's note on its first figure (a preview says on how many tokens it searched).
        var firstDuQuantNote: String?

        /// Each method's time in the first pass, in the order they ran.
        var firstBreakdown: String {
            Method.allCases.compactMap { m in firstSeconds[m].map { "\(m.title) \(BenchTable.duration($0))" } }.joined(separator: ", ")
        }

        /// How far each method's first figure was from its exact one, e.g. "RTN +3%, DuQuant −8%".
        var estimateOffsets: String {
            Method.allCases.compactMap { m in
                guard let a = firstErrors[m], let b = exactErrors[m], b > 0 else { return nil }
                let pct = Int(((a - b) / b * 100).rounded())
                return "\(m.title) \(pct >= 0 ? "+" : "−")\(abs(pct))%"
            }.joined(separator: ", ")
        }
    }

    static func measure(_ layer: LayerData, _ p: QuantParams) -> Times {
        let clock = ContinuousClock()
        let start = clock.now
        let times = Locked(Times())
        @Sendable func seconds() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        let executor = EffectExecutor(source: OneLayer(layer: layer), synchronous: true) { msg in
            guard case let .evaluated(_, e, _) = msg else { return }
            let t = seconds()
            times.withLock { x in
                if x.firstAny == nil, !e.methods.isEmpty { x.firstAny = t }
                if x.firstDuQuant == nil, let d = e.methods[.duquant] {
                    x.firstDuQuant = t
                    x.firstDuQuantWasEstimate = e.estimate != nil
                    x.firstDuQuantNote = d.note
                }
                for (m, v) in e.methods where x.firstErrors[m] == nil {
                    x.firstErrors[m] = v.outputRelError
                    x.firstSeconds[m] = v.seconds
                }
                if x.exactDuQuant == nil, e.methods[.duquant] != nil, e.estimate?.isEstimated(.duquant) != true {
                    x.exactDuQuant = t
                }
                if x.exact == nil, e.estimate == nil, e.pending.isEmpty {
                    x.exact = t
                    x.exactErrors = e.methods.compactMapValues(\.outputRelError)
                }
            }
        }
        executor.run(.evaluate(layer: 0, params: p, generation: 1))
        return times.withLock { $0 }
    }
}
