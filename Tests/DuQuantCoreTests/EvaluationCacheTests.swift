import DuQuantCore
import TestSupport
import Testing

/// Every cached value of ``EvaluationWorkspace`` against everything it depends on: after any parameter
/// changes, a workspace that has seen other parameters gives exactly what a fresh one gives.
@Suite struct EvaluationCacheTests {
    static let layer = LayerData(
        name: "cache.down_proj",
        input: TestData.activation(tokens: 40, channels: 64, outlierChannels: [4, 33],
                                   massive: (token: 0, channel: 21, value: 600)),
        weight: TestData.weight(out: 16, in: 64))

    static let base: QuantParams = {
        var p = QuantParams()
        p.block = 32
        p.steps = 12
        return p
    }()

    /// One change of each parameter, named.
    static let changes: [(String, @Sendable (inout QuantParams) -> Void)] = [
        ("abits", { $0.abits = 3 }), ("wbits", { $0.wbits = 3 }), ("lac", { $0.lac = 0.7 }),
        ("swc", { $0.swc = 1 }), ("weightSymmetric", { $0.weightSymmetric = true }), ("actSymmetric", { $0.actSymmetric = true }), ("block", { $0.block = 16 }),
        ("steps", { $0.steps = 4 }), ("patience", { $0.patience = 2 }), ("permTimes", { $0.permTimes = 2 }),
        ("alpha", { $0.alpha = 0.4 }), ("smooth", { $0.smooth = false }), ("seed", { $0.seed = 3 }),
        ("select", { $0.select = .reference }), ("layout", { $0.layout = .shared }),
    ]

    // Regression (issue 9, item 5): act bits 4 → 3 updated the table, but the Quantized error heatmap
    // (and its legend) kept the first evaluation's |X̃ − Q(X̃)|: the cached calibration was reused with the
    // stage computed under the old activation quantizer.
    @Test(arguments: changes.map(\.0))
    func aChangedParameterGivesWhatAFreshWorkspaceGives(_ name: String) throws {
        var p = Self.base
        Self.changes.first { $0.0 == name }!.1(&p)
        let shared = EvaluationWorkspace(Self.layer)
        _ = try #require(shared.evaluate(Self.base))
        let reused = try #require(shared.evaluate(p))
        let fresh = try #require(EvaluationWorkspace(Self.layer).evaluate(p))
        let a = try #require(reused.calibration), b = try #require(fresh.calibration)
        #expect(a.params == p)
        for stage in Stage.allCases {
            let same = a.stages[stage] == b.stages[stage]  // not inside #expect: it would print both matrices
            #expect(same, "stage \(stage) after changing \(name)")
        }
        for m in Method.allCases {
            let x = try #require(reused.methods[m]), y = try #require(fresh.methods[m])
            #expect(x.outputRelError == y.outputRelError && x.actMSE == y.actMSE && x.weightMSE == y.weightMSE
                    && x.actMaxAbs == y.actMaxAbs && x.perTokenError == y.perTokenError, "\(m) after changing \(name)")
        }
    }

    /// The stages that depend on a parameter do change with it (so the comparison above has teeth).
    @Test func theQuantizedErrorStageDependsOnTheActivationQuantizer() throws {
        let ws = EvaluationWorkspace(Self.layer)
        let four = try #require(ws.evaluate(Self.base)?.calibration)
        for change: (inout QuantParams) -> Void in [{ $0.abits = 3 }, { $0.lac = 0.7 }, { $0.actSymmetric = true }] {
            var p = Self.base
            change(&p)
            let other = try #require(ws.evaluate(p)?.calibration)
            let errorChanged = other.matrix(.quantError) != four.matrix(.quantError)
            let transformKept = other.matrix(.rotation2) == four.matrix(.rotation2)
            #expect(errorChanged)
            #expect(transformKept)
        }
    }
}
