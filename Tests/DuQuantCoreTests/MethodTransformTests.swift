import Testing
import TestSupport
@testable import DuQuantCore

/// `Method.exportableTransform`: what `export --method` writes must be the very transform the explorer
/// measures for that method, and exact (`X̃ W̃ᵀ = X Wᵀ`).
@Suite struct MethodTransformTests {
    static func maxAbs(_ a: Matrix, _ b: Matrix) -> Float {
        zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: Method.allCases) func transformIsTheOneTheWorkspaceMeasures(method: Method) throws {
        // 80 channels: Hadamard falls back to blocks of 16; DuQuant has a partial last block of 16.
        let layer = TestLayer.make(tokens: 24, channels: 80, out: 20, seed: 4)
        var p = QuantParams()
        p.block = 32
        p.steps = 12
        let e = try #require(method.exportableTransform(layer, p))
        let ws = EvaluationWorkspace(layer)
        let t = try #require(ws.transformed(method, p.resolved(for: method), cancel: nil, progress: nil))
        let x = e.transform.apply(toInput: layer.input), w = e.transform.apply(toWeight: layer.weight!)
        let scale = layer.input.storage.map(abs).max()!
        #expect(Self.maxAbs(x, t.x) <= 1e-5 * scale, "\(method): activation differs from the workspace's")
        #expect(Self.maxAbs(w, t.w!) <= 1e-5 * layer.weight!.storage.map(abs).max()! * scale)
        let exact = layer.input.multipliedTransposed(by: layer.weight!)
        let both = x.multipliedTransposed(by: w)
        #expect(Self.maxAbs(both, exact) <= 1e-4 * exact.storage.map(abs).max()!, "\(method): X̃ W̃ᵀ ≠ X Wᵀ")
    }

    @Test func whatEachMethodHolds() throws {
        let layer = TestLayer.make(tokens: 16, channels: 64, out: 8)
        var p = QuantParams()
        p.block = 32
        p.steps = 8
        let rtn = try #require(Method.rtn.exportableTransform(layer, p)).transform
        #expect(rtn.smoothScales == nil && rtn.rotations.isEmpty && rtn.permutations.isEmpty)
        let sq = try #require(Method.smoothquant.exportableTransform(layer, p)).transform
        #expect(sq.smoothScales == Smoothing.scales(x: layer.input, w: layer.weight!, alpha: p.resolved(for: .smoothquant).alpha) && sq.rotations.isEmpty)
        let h = try #require(Method.hadamard.exportableTransform(layer, p)).transform
        #expect(h.rotations.count == 1 && h.rotations[0].blockSizes == [32, 32] && h.rotations[0].blocks[0] == Hadamard.matrix(32))
        let dq = try #require(Method.duquant.exportableTransform(layer, p))
        #expect(dq.transform == DuQuant.calibrate(layer, p)!.transform && dq.calibration != nil)
        // Without a weight, SmoothQuant has nothing to smooth against: the identity, said in the note.
        let bare = LayerData(name: "x", input: layer.input)
        let sqBare = try #require(Method.smoothquant.exportableTransform(bare, p))
        #expect(sqBare.transform.smoothScales == nil && sqBare.note != nil)
    }
}
