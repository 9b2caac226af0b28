import DuQuantCore
import DuQuantIO

/// Shared body of the libFuzzer harnesses: open bytes as a dump named `name`, then load every tensor
/// and every layer. Any outcome is fine except a trap, a sanitizer report, a hang or a memory blow-up.
///
/// Beyond not crashing, two properties are checked (a violation traps, which libFuzzer reports):
/// - names to output: every tensor, layer and member name and every error, once escaped for display
///   (`DisplayText`) or quoted for JSON, holds no control character a terminal would act on;
/// - the memory budget: loads run under a 64 MB budget, every shape-derived estimate is computed without
///   trapping, and a layer over the budget is refused, not allocated.
func fuzzExercise(_ data: UnsafePointer<UInt8>?, _ count: Int, as name: String) {
    let bytes = count > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: count)) : []
    let dump: DumpFile
    do throws(DumpError) { dump = try DumpFile.open(contents: bytes, path: name) } catch {
        checkShown(error.description)
        return
    }
    MemoryBudget.$scoped.withValue(64 << 20) {
        for t in dump.tensors {
            checkShown(t.name)
            do throws(DumpError) { _ = try dump.loadTensor(t.name) } catch { checkShown(error.description) }
            do throws(DumpError) { try dump.streamTensor(t.name) { _, _ in } } catch { checkShown(error.description) }
        }
        for l in dump.layers {
            checkShown(l.name)
            let need = MemoryBudget.evaluationBytes(tokens: l.tokens, inFeatures: l.inFeatures, outFeatures: l.outFeatures)
            _ = MemoryBudget.problem(needing: need, for: l.name)
            do throws(DumpError) {
                let layer = try dump.loadLayer(l.name)
                let load = MemoryBudget.loadBytes(tokens: layer.tokens, inFeatures: layer.inFeatures, outFeatures: layer.outFeatures)
                precondition(load != nil && load! <= MemoryBudget.bytes, "a layer over the budget was loaded")
            } catch {
                checkShown(error.description)
            }
        }
    }
    for w in dump.warnings { checkShown(w.description) }
}

/// Traps if `text`, escaped for display or quoted for JSON, still holds a control character.
func checkShown(_ text: String) {
    let shown = DisplayText.escaped(text)
    precondition(!shown.unicodeScalars.contains(where: DisplayText.needsEscape), "a control character survived escaping")
    precondition(!JSONValue.quoted(text).unicodeScalars.contains(where: DisplayText.needsEscape),
                 "a control character survived JSON quoting")
    precondition(DisplayText.escaped(shown) == shown, "escaping is not idempotent")
}
