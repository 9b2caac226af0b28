import DuQuantCore
import TestSupport
import Testing

/// What the workspace keeps between evaluations (X·Wᵀ, transforms, Q(W̃) with its clip ratios, X̃'s own
/// figures) changes no figure: a bits change on a used workspace equals a fresh workspace's evaluation.
@Suite struct WorkspaceReuseTests {
    static func withoutTimes(_ e: LayerEvaluation) -> [Method: MethodMetrics] {
        e.methods.mapValues { m in
            var m = m
            m.seconds = 0
            return m
        }
    }

    @Test func aBitsChangeOnAUsedWorkspaceEqualsAFreshOne() throws {
        let layer = TestLayer.make(tokens: 40, channels: 64, out: 24)
        var p = QuantParams()
        p.block = 16
        p.steps = 8
        let used = EvaluationWorkspace(layer)
        _ = try #require(used.evaluate(p, anatomy: true))
        p.abits = 3
        p.wbits = 3
        let again = try #require(used.evaluate(p, anatomy: true))
        let fresh = try #require(EvaluationWorkspace(layer).evaluate(p, anatomy: true))
        #expect(Self.withoutTimes(again) == Self.withoutTimes(fresh))
        #expect(again.methods.values.allSatisfy { $0.anatomy != nil })
        // An estimate in between (figures of its sample) does not leak into the exact ones.
        _ = try #require(used.evaluate(p, sampleTokens: 8))
        let after = try #require(used.evaluate(p, anatomy: true))
        #expect(Self.withoutTimes(after) == Self.withoutTimes(fresh))
    }
}
