import Dispatch
import DuQuantCore
import ExplorerModel
import ExplorerRuntime
import Testing

/// The background scan gives way to interactive work: it sleeps on the executor's condition until the
/// open layer's job ends, or until it is cancelled (issue 26: it polled with `usleep` before).
@Suite struct ScanWaitTests {
    /// Two tiny layers; loading layer 0 blocks until `release` is signalled, as a slow file would.
    struct GatedSource: LayerSource {
        let release = DispatchSemaphore(value: 0)
        let layers = (0..<2).map { i in
            LayerData(name: "model.layers.\(i).mlp.down_proj",
                      input: Matrix(rows: 4, cols: 8, storage: (0..<32).map { Float($0 % 7) - 3 }))
        }
        var files: [String] { ["gated.safetensors"] }
        var entries: [LayerEntry] {
            layers.map { LayerEntry(name: $0.name, kind: "down", tokens: 4, inFeatures: 8, outFeatures: nil) }
        }
        func load(_ index: Int) throws(LayerSourceError) -> (LayerData, [String]?) {
            if index == 0 { release.wait(); release.signal() }  // once released, stays open
            return (layers[index], nil)
        }
    }

    /// Messages posted so far, and a semaphore signalled on each.
    final class Inbox: @unchecked Sendable {
        private let lock = Locked<[Msg]>([])
        let arrived = DispatchSemaphore(value: 0)
        func post(_ msg: Msg) { lock.withLock { $0.append(msg) }; arrived.signal() }
        var messages: [Msg] { lock.withLock { $0 } }
        var summaries: Int { messages.filter { if case .layerSummary = $0 { true } else { false } }.count }
        var scanFinished: Bool { messages.contains { if case .scanFinished = $0 { true } else { false } } }

        /// Waits up to `seconds` for `condition` to hold, checking as messages arrive.
        func wait(seconds: Double, until condition: () -> Bool) -> Bool {
            let deadline = DispatchTime.now() + seconds
            while !condition() { if arrived.wait(timeout: deadline) == .timedOut { return condition() } }
            return true
        }
    }

    @Test func theScanWaitsForTheOpenLayerThenRuns() {
        let source = GatedSource(), inbox = Inbox()
        let executor = EffectExecutor(source: source) { inbox.post($0) }
        executor.run(.loadLayer(index: 0, generation: 1))
        executor.run(.scanLayers(params: QuantParams(), method: .rtn, generation: 1))
        // While layer 0 loads, the scan posts nothing.
        #expect(!inbox.wait(seconds: 0.3) { inbox.summaries > 0 })
        source.release.signal()
        #expect(inbox.wait(seconds: 30) { inbox.scanFinished })
        #expect(inbox.summaries == 4)  // statistics, then error, for each of the two layers
    }

    @Test func aScanCancelledWhileWaitingEndsWithoutRunning() {
        let source = GatedSource(), inbox = Inbox()
        let executor = EffectExecutor(source: source) { inbox.post($0) }
        executor.run(.loadLayer(index: 0, generation: 1))
        executor.run(.scanLayers(params: QuantParams(), method: .rtn, generation: 1))
        #expect(!inbox.wait(seconds: 0.2) { inbox.summaries > 0 })
        executor.run(.cancel(.scan))
        source.release.signal()
        #expect(inbox.wait(seconds: 10) { inbox.messages.contains { if case .layerLoaded = $0 { true } else { false } } })
        #expect(!inbox.wait(seconds: 0.3) { inbox.summaries > 0 || inbox.scanFinished })
    }
}
