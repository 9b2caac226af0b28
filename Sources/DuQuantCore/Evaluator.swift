/// Quality figures of one method on one layer.
public struct MethodMetrics: Sendable, Equatable {
    /// Largest |value| of the transformed activation X̃.
    public var actMaxAbs: Float
    /// Pearson kurtosis of X̃ (3 for a Gaussian; outliers make it large).
    public var kurtosis: Float
    /// mean((X̃ − Q(X̃))²).
    public var actMSE: Float
    /// mean((W̃ − Q(W̃))²), nil without a weight.
    public var weightMSE: Float?
    /// ‖XWᵀ − Q(X̃)Q(W̃)ᵀ‖_F / ‖XWᵀ‖_F, nil without a weight.
    public var outputRelError: Float?
    /// Per token: relative output error with a weight, else relative activation quantization error.
    public var perTokenError: [Float]
    /// Variance of block means of per-channel max |x̃| (the permutation's objective).
    public var blockMeanVariance: Float
    /// Wall time of the method (transform search, quantization and metrics), in seconds.
    public var seconds: Double
    /// Greedy steps kept per rotation stage (DuQuant only).
    public var keptSteps: [Int]?
    /// A note such as the Hadamard block used or why smoothing was skipped.
    public var note: String?
}

/// One layer's results for every method asked.
public struct LayerEvaluation: Sendable {
    public var name: String
    public var tokens: Int
    public var inFeatures: Int
    public var outFeatures: Int?
    public var params: QuantParams
    public var methods: [Method: MethodMetrics]
    /// The DuQuant calibration, when DuQuant was evaluated.
    public var calibration: DuQuantCalibration?
    /// Non-finite values of the layer, replaced by 0 before evaluation (see `NumericAudit`).
    public var nonFinite: [NonFiniteReport] = []
}

/// Runs RTN, SmoothQuant, Hadamard and DuQuant on a layer and measures them the same way.
public enum Evaluator {
    /// The transformed pair `(X̃, W̃)` of a method, and a note. Nil if cancelled.
    public static func evaluate(_ layer: LayerData, _ p: QuantParams, methods: [Method] = Method.allCases,
                                calibration given: DuQuantCalibration? = nil, cancel: CancelToken? = nil,
                                progress: (@Sendable (Double) -> Void)? = nil) -> LayerEvaluation? {
        let layer = layer.replacingNonFinite()  // the NaN/inf rule, see NumericAudit
        let reference = layer.weight.map { layer.input.multipliedTransposed(by: $0) }
        var out = LayerEvaluation(name: layer.name, tokens: layer.tokens, inFeatures: layer.inFeatures,
                                  outFeatures: layer.outFeatures, params: p, methods: [:], calibration: nil,
                                  nonFinite: layer.nonFinite)
        for method in methods {
            if cancel?.isCancelled == true { return nil }
            let clock = ContinuousClock()
            let start = clock.now
            var x = layer.input, w = layer.weight, note: String? = nil, kept: [Int]? = nil
            switch method {
            case .rtn:
                break
            case .smoothquant:
                if let weight = layer.weight {
                    let s = Smoothing.scales(x: x, w: weight, alpha: p.alpha)
                    x = x.dividingColumns(by: s)
                    w = weight.multiplyingColumns(by: s)
                } else {
                    note = "no weight: smoothing skipped (same as RTN)"
                }
            case .hadamard:
                let h = Hadamard.blockSize(channels: x.cols, requested: p.block)
                x = Hadamard.apply(x, block: h)
                w = w.map { Hadamard.apply($0, block: h) }
                note = "hadamard block \(h)" + (h != p.block ? " (\(p.block) does not divide \(x.cols) or is not a power of two)" : "")
            case .duquant:
                let cal: DuQuantCalibration
                if let given, given.params.calibrationKey == p.calibrationKey {
                    cal = given
                } else {
                    guard let c = DuQuant.calibrate(layer, p, cancel: cancel, progress: progress) else { return nil }
                    cal = c
                }
                x = cal.matrix(.rotation2)
                w = w.map { cal.transform.apply(toWeight: $0) }
                kept = cal.keptSteps
                if !cal.smoothed && p.smooth { note = "no weight: smoothing skipped" }
                out.calibration = cal
            }
            var m = measure(x: x, w: w, reference: reference, p: p)
            m.keptSteps = kept
            m.note = note
            m.seconds = seconds(clock.now - start)
            out.methods[method] = m
        }
        return out
    }

    /// Measures a transformed pair against the exact output `reference = X Wᵀ`.
    public static func measure(x: Matrix, w: Matrix?, reference: Matrix?, p: QuantParams) -> MethodMetrics {
        let qx = p.activationQuantizer.quantizeRows(x)
        let actMSE = meanSquaredDifference(x, qx)
        var weightMSE: Float? = nil, outErr: Float? = nil
        var perToken = [Float](repeating: 0, count: x.rows)
        if let w, let reference {
            let qw = p.weightQuantizer.quantizeRows(w)
            weightMSE = meanSquaredDifference(w, qw)
            let y = qx.multipliedTransposed(by: qw)
            var num = 0.0, den = 0.0
            for t in 0..<y.rows {
                var n = 0.0, d = 0.0
                for o in 0..<y.cols {
                    let r = Double(reference.storage[t * y.cols + o])
                    let e = Double(y.storage[t * y.cols + o]) - r
                    n += e * e
                    d += r * r
                }
                perToken[t] = d > 0 ? Float((n / d).squareRoot()) : Float(n.squareRoot())
                num += n
                den += d
            }
            outErr = den > 0 ? Float((num / den).squareRoot()) : Float(num.squareRoot())
        } else {
            for t in 0..<x.rows {
                var n = 0.0, d = 0.0
                for c in 0..<x.cols {
                    let v = Double(x.storage[t * x.cols + c])
                    let e = Double(qx.storage[t * x.cols + c]) - v
                    n += e * e
                    d += v * v
                }
                perToken[t] = d > 0 ? Float((n / d).squareRoot()) : Float(n.squareRoot())
            }
        }
        let channelMax = ChannelStats.maxAbs(x)
        return MethodMetrics(
            actMaxAbs: channelMax.max() ?? 0, kurtosis: ChannelStats.kurtosis(x), actMSE: actMSE,
            weightMSE: weightMSE, outputRelError: outErr, perTokenError: perToken,
            blockMeanVariance: ChannelStats.blockMeanVariance(channelMax, block: p.block),
            seconds: 0, keptSteps: nil, note: nil)
    }

    /// mean((a − b)²), accumulated in Double.
    public static func meanSquaredDifference(_ a: Matrix, _ b: Matrix) -> Float {
        precondition(a.count == b.count)
        guard a.count > 0 else { return 0 }
        var s = 0.0
        for i in a.storage.indices { let d = Double(a.storage[i]) - Double(b.storage[i]); s += d * d }
        return Float(s / Double(a.count))
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
