import DuQuantCore
import TestSupport
import Testing

/// A calibration's results are owned by what it returns and nothing else: once the caller drops them,
/// their memory is freed.
@Suite struct RetainedResultsTests {
    /// Whether the storage of `m` is held only by `m`: a write then happens in place (copy on write
    /// copies storage that something else still holds).
    static func ownsItsStorage(_ m: inout Matrix) -> Bool {
        let before = m.storage.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        m.storage[0] += 0
        let after = m.storage.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        return before == after
    }

    // Regression (issue 23, item 1): the explorer's resident memory grew by ~11 MB per parameter change
    // (760 MB after 120 changes on the bundled sample). Each stage's block searches wrote their results
    // into a buffer that was freed without deinitializing its elements, so every search's rotations
    // (float and double) stayed referenced forever. A rotation held by no one else is written in place.
    @Test func aCalibrationsRotationsAreHeldByItAlone() throws {
        let layer = LayerData(name: "leak", input: TestData.activation(tokens: 24, channels: 64, outlierChannels: [5, 40]),
                              weight: TestData.weight(out: 8, in: 64))
        // One rotation per block (the shared layout's blocks share one storage by design).
        var p = QuantParams()
        p.block = 16
        p.steps = 6
        p.layout = .perblock
        var cal = try #require(DuQuant.calibrate(layer, p))
        #expect(cal.transform.rotations.count == 2 && cal.transform.rotations.allSatisfy { $0.blocks.count == 4 })
        for r in cal.transform.rotations.indices {
            for b in cal.transform.rotations[r].blocks.indices {
                let owned = Self.ownsItsStorage(&cal.transform.rotations[r].blocks[b])  // not in #expect: it prints the matrix
                #expect(owned, "rotation \(r) block \(b) is still held elsewhere")
            }
        }
    }
}
