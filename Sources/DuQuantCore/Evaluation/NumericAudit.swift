/// Non-finite values (NaN, ±infinity) found in one tensor of a layer: how many and where the first is.
///
/// The explorer's single rule for them (see `NumericAudit.nonFiniteRule`): the analysis runs on a copy
/// in which every non-finite value is replaced by 0, and this report travels with the layer so every
/// output says what was replaced.
///
/// ```swift
/// let clean = layer.replacingNonFinite()
/// for r in clean.nonFinite { print(r.summary) }  // input: 3 non-finite values (1 NaN, 2 ±inf), first at (token 0, channel 2); replaced by 0
/// ```
public struct NonFiniteReport: Sendable, Equatable {
    /// Which tensor: `input` (rows are tokens) or `weight` (rows are output channels).
    public var tensor: String
    /// Number of non-finite values.
    public var count: Int
    /// How many of them are NaN (the rest are ±infinity).
    public var nanCount: Int
    /// Row of the first one in row-major order (token for the input, output channel for the weight).
    public var firstRow: Int
    /// Column (input channel) of the first one.
    public var firstColumn: Int

    /// Memberwise: `count` non-finite values in `tensor` (`nanCount` NaN), the first at (`firstRow`, `firstColumn`).
    public init(tensor: String, count: Int, nanCount: Int, firstRow: Int, firstColumn: Int) {
        self.tensor = tensor
        self.count = count
        self.nanCount = nanCount
        self.firstRow = firstRow
        self.firstColumn = firstColumn
    }

    /// Number of ±infinity values.
    public var infinityCount: Int { count - nanCount }

    /// One line: `input: 3 non-finite values (1 NaN, 2 ±inf), first at (token 0, channel 2); replaced by 0`.
    public var summary: String {
        let row = tensor == "input" ? "token" : "output channel"
        return "\(tensor): \(count) non-finite value\(count == 1 ? "" : "s") (\(nanCount) NaN, \(infinityCount) ±inf), "
            + "first at (\(row) \(firstRow), channel \(firstColumn)); \(NumericAudit.nonFiniteRule)"
    }
}

/// Checks on the numbers entering and leaving the analysis: non-finite inputs and metrics that overflow.
///
/// Decision (docs/DECISIONS.md, "NaN and infinity"): non-finite values in a layer are reported and
/// replaced by 0 before any transform, so one bad activation cannot turn every metric into NaN; a
/// metric that still comes out non-finite (values near `Float.greatestFiniteMagnitude` whose squares
/// or products overflow `Float`) is named by `overflowedMetrics` rather than shown as a plain number.
public enum NumericAudit {
    /// What happens to a non-finite value, as every report words it.
    public static let nonFiniteRule = "replaced by 0"

    /// What every surface shows for a metric that overflowed `Float` (``ShownFigure/overflow``).
    public static let overflowFlag = "overflow"
    /// The same in a column too narrow for it.
    public static let overflowFlagShort = "ovfl"
    /// What every surface shows for a figure that is not defined (``ShownFigure/undefined``).
    public static let undefinedFlag = "—"

    /// The non-finite values of `m`, or nil when every value is finite.
    public static func scan(_ m: Matrix, tensor: String) -> NonFiniteReport? {
        var count = 0, nans = 0, first = -1
        m.storage.withUnsafeBufferPointer { buf in
            for i in buf.indices where !buf[i].isFinite {
                if count == 0 { first = i }
                count += 1
                if buf[i].isNaN { nans += 1 }
            }
        }
        guard count > 0, m.cols > 0 else { return nil }
        return NonFiniteReport(tensor: tensor, count: count, nanCount: nans, firstRow: first / m.cols,
                               firstColumn: first % m.cols)
    }

    /// `m` with every non-finite value replaced by 0.
    public static func replacingNonFinite(_ m: Matrix) -> Matrix {
        var out = m
        out.storage.withUnsafeMutableBufferPointer { buf in
            for i in buf.indices where !buf[i].isFinite { buf[i] = 0 }
        }
        return out
    }

    /// Names (as in the JSON report) of the metrics of `m` that are not finite: they overflowed `Float`.
    ///
    /// With finite inputs this happens only for values near `Float.greatestFiniteMagnitude`: squared
    /// errors are summed in `Double` but may not fit back into a `Float`, and `XWᵀ` or `Q(X̃)Q(W̃)ᵀ` may
    /// overflow in the `Float` product.
    public static func overflowedMetrics(_ m: MethodMetrics) -> [String] {
        var names: [String] = []
        if !m.actMaxAbs.isFinite { names.append("act_max_abs") }
        // Kurtosis over values that include ±inf is meaningless even when it comes out as a number.
        if !m.kurtosis.isFinite || !m.actMaxAbs.isFinite { names.append("kurtosis") }
        if !m.actMSE.isFinite { names.append("act_mse") }
        if let w = m.weightMSE, !w.isFinite { names.append("weight_mse") }
        if let e = m.outputRelError, !e.isFinite { names.append("output_rel_error") }
        if !m.blockMeanVariance.isFinite { names.append("block_mean_variance") }
        if m.perTokenError.contains(where: { !$0.isFinite }) { names.append("per_token_error") }
        return names
    }
}

extension LayerData {
    /// This layer with non-finite values replaced by 0 and reported in `nonFinite` (the explorer's rule).
    ///
    /// Returns the layer unchanged (and uncopied) when every value is finite; reports already present
    /// are kept, so applying it twice changes nothing.
    public func replacingNonFinite() -> LayerData {
        let inputReport = NumericAudit.scan(input, tensor: "input")
        let weightReport = weight.flatMap { NumericAudit.scan($0, tensor: "weight") }
        guard inputReport != nil || weightReport != nil else { return self }
        var out = self
        if inputReport != nil { out.input = NumericAudit.replacingNonFinite(input) }
        if let w = weight, weightReport != nil { out.weight = NumericAudit.replacingNonFinite(w) }
        out.nonFinite = nonFinite + [inputReport, weightReport].compactMap { $0 }
        return out
    }
}

/// What a figure is shown as, by the one rule of every surface (list, report, render, the explorer): a
/// finite number as itself; a metric that overflowed `Float` as ``NumericAudit/overflowFlag``; anything
/// undefined (no value, a ratio over a zero median, 0/0) as ``NumericAudit/undefinedFlag``. Never a bare
/// `inf` or `nan`.
///
/// Which non-finite values are which follows from the NaN rule: the inputs are finite (non-finite values
/// are replaced by 0 on load), so a metric of ``MethodMetrics`` can be non-finite only by overflowing
/// (the cases ``NumericAudit/overflowedMetrics(_:)`` names), while a statistic of the data (a ratio of
/// maxima to medians) is non-finite only where it is undefined.
///
/// ```swift
/// ShownFigure.metric(.infinity)      // .overflow
/// ShownFigure.statistic(.infinity)   // .undefined (max|x| over a zero median)
/// ShownFigure.metric(0.0123)         // .number(0.0123)
/// ```
public enum ShownFigure: Equatable, Sendable {
    case number(Float)
    case undefined
    case overflow

    /// A metric of a method's figures (errors, MSEs, max |x̃|, kurtosis, block variance).
    public static func metric(_ v: Float?) -> ShownFigure {
        guard let v else { return .undefined }
        return v.isFinite ? .number(v) : .overflow
    }

    /// A statistic of the data (max |x|, a ratio of maxima to medians).
    public static func statistic(_ v: Float?) -> ShownFigure {
        guard let v, v.isFinite else { return .undefined }
        return .number(v)
    }
}
