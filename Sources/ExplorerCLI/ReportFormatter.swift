import DuQuantCore
import DuQuantIO
import ExplorerModel
import Foundation

/// Output formats of `report`.
enum ReportFormat: String, CaseIterable {
    case table, json, csv
}

/// Turns layer evaluations into the text `report` prints: an aligned table, JSON or CSV.
enum ReportFormatter {
    /// - Parameters:
    ///   - skipped: one line per layer left out because it could not be loaded (table and JSON name them;
    ///     CSV rows are per method, so skipped layers are simply absent there).
    ///   - sidecar: the options the dump's sidecar set (table: a line under the parameters; JSON:
    ///     `sidecar_parameters`; CSV: a column `sidecar_parameters` when it set any).
    static func render(_ layers: [LayerEvaluation], file: String, params p: QuantParams, format: ReportFormat,
                       skipped: [String] = [], sidecar: SidecarParameters? = nil) -> String {
        switch format {
        case .table:
            table(layers, file: file, params: p, sidecarNote: sidecar?.note) + skipped.map { "skipped: \(DisplayText.escaped($0))\n" }.joined()
        case .json: json(layers, file: file, params: p, skipped: skipped, sidecar: sidecar?.applied ?? []).render(indent: 2) + "\n"
        case .csv:
            csv(layers, params: p, sidecar: sidecar?.note)
        }
    }

    /// A metric, compactly (``digits(_:)``), by the one rule (``ShownFigure``): `overflow` when it overflowed
    /// `Float`, `—` when absent.
    static func num(_ f: Float?) -> String { shown(.metric(f)) }

    /// A statistic of the data (max |x|, a ratio): `—` where undefined.
    static func stat(_ f: Float?) -> String { shown(.statistic(f)) }

    static func shown(_ figure: ShownFigure) -> String {
        switch figure {
        case .number(let v): digits(v)
        case .undefined: NumericAudit.undefinedFlag
        case .overflow: NumericAudit.overflowFlag
        }
    }

    /// A ratio of maxima to medians, by the statistic's rule (``stat(_:)``): `46353×`, whole below 10⁵, in four
    /// digits above (`1.313e+30×`, not 31 digits); `—` where undefined.
    static func ratioText(_ r: Float) -> String {
        guard case .number(let v) = ShownFigure.statistic(r) else { return stat(r) }
        return v < 1e5 ? String(format: "%.0f×", Double(v)) : digits(v) + "×"
    }

    /// Compact number: 4 significant digits, scientific outside 1e-3…1e5.
    static func digits(_ f: Float) -> String {
        let a = abs(f)
        if a == 0 { return "0" }
        if a >= 1e5 || a < 1e-3 { return String(format: "%.3e", Double(f)) }
        return String(format: "%.4g", Double(f))
    }

    /// `×0.62`: a figure over its baseline's.
    static func ratio(_ a: Float?, _ b: Float?) -> String {
        guard let a, let b, b != 0, a.isFinite, b.isFinite else { return "×—" }
        return "×" + num(a / b)
    }

    static func percent(_ f: Float) -> String { String(format: "%.1f%%", Double(f) * 100) }

    static func anatomyJSON(_ a: ErrorAnatomy) -> JSONText {
        .object([("out_act_only", .float(a.activationsOnly)), ("out_weight_only", .float(a.weightsOnly)),
                 ("out_both", .float(a.both)), ("act_clip_share", .float(a.activationClipShare)),
                 ("weight_clip_share", .float(a.weightClipShare))])
    }

    /// The seed-spread cells of a CSV row (empty but for DuQuant's rows).
    static func seedCells(_ sp: SeedSpread?) -> String {
        guard let sp, let s = sp.outputRelError else { return sp.map { "\($0.seeds),,,," } ?? ",,,," }
        return ["\(sp.seeds)", "\(s.mean)", "\(s.min)", "\(s.max)", "\(s.std)"].joined(separator: ",")
    }

    static func spreadJSON(_ sp: SeedSpread) -> JSONText {
        func one(_ s: SeedSpread.Summary) -> JSONText {
            .object([("mean", .number(s.mean)), ("min", .number(s.min)), ("max", .number(s.max)), ("std", .number(s.std))])
        }
        return .object([("seeds", .int(sp.seeds)), ("output_rel_error", sp.outputRelError.map(one) ?? .null),
                        ("act_mse", one(sp.actMSE)), ("act_max_abs", one(sp.actMaxAbs))])
    }

    static func table(_ layers: [LayerEvaluation], file: String, params p: QuantParams, sidecarNote: String? = nil) -> String {
        var out = "\(DisplayText.escaped(file))\n\(p.longSummary)\n"
        if let sidecarNote { out += DisplayText.escaped(sidecarNote) + "\n" }
        for e in layers {
            let shape = "\(e.tokens) tokens × \(e.inFeatures)" + (e.outFeatures.map { " → \($0)" } ?? " (no weight)")
            out += "\n\(DisplayText.escaped(e.name))  \(shape)\n"
            // Under a split the table is the fit on the fit tokens: its error column says so.
            let header = ["method", "settings", "max|x̃|", "kurtosis", "act MSE (own)", "weight MSE (own)",
                          e.heldOut == nil ? "out rel err" : "out rel err (fit)", "blk var", "seconds"]
            var rows: [[String]] = []
            let methods = e.methods.keys.sorted()
            let bestErr = methods.compactMap { e.methods[$0]?.outputRelError }.filter(\.isFinite).min()
            for m in methods {
                guard let r = e.methods[m] else { continue }
                let best = bestErr != nil && r.outputRelError == bestErr
                rows.append([m.title + (best ? " *" : ""), p.settings(for: m).summary, num(r.actMaxAbs), num(r.kurtosis), num(r.actMSE),
                             num(r.weightMSE), num(r.outputRelError), num(r.blockMeanVariance),
                             String(format: "%.3f", r.seconds)])
            }
            out += align([header] + rows)
            for m in methods {
                guard let r = e.methods[m] else { continue }
                if let kept = r.keptSteps { out += "  \(m.title): kept steps \(kept)\n" }
                if let note = r.note { out += "  \(m.title): \(note)\n" }
                if let a = r.anatomy {
                    out += "  \(m.title): anatomy: out err with only activations quantized \(num(a.activationsOnly)), "
                        + "only weights \(num(a.weightsOnly)), both \(num(a.both)); clipping's share of the error: "
                        + "activations \(percent(a.activationClipShare)), weights \(percent(a.weightClipShare))\n"
                }
                let overflow = NumericAudit.overflowedMetrics(r)
                if !overflow.isEmpty {
                    out += "  \(m.title): overflow: \(overflow.joined(separator: ", ")) exceed the Float range\n"
                }
            }
            for n in Commands.nonFiniteNotes(e.nonFinite) { out += "  \(DisplayText.escaped(n))\n" }
            if let b = e.baseline {
                out += "  baseline: \(b.params.longSummary)\n"
                for m in methods {
                    guard let r = e.methods[m], let base = b.methods[m] else { continue }
                    out += "  \(m.title) vs baseline: out rel err \(num(r.outputRelError)) vs \(num(base.outputRelError))"
                        + " (\(ratio(r.outputRelError, base.outputRelError))), act MSE \(num(r.actMSE)) vs \(num(base.actMSE))"
                        + " (\(ratio(r.actMSE, base.actMSE)))\n"
                }
            }
            if let h = e.heldOut {
                out += "  \(h.source.description(file: h.source.evalFile.map(DisplayText.escaped))); the table above is on the fit tokens\n"
                // The held-out best is marked as the table's best is.
                let bestHeld = h.methods.values.compactMap(\.outputRelError).filter(\.isFinite).min()
                for m in h.methods.keys.sorted() {
                    let r = h.methods[m]!, fit = e.methods[m]
                    let mark = h.methods.count > 1 && bestHeld != nil && r.outputRelError == bestHeld ? " *" : ""
                    out += "  \(m.title) held out: out rel err \(num(r.outputRelError))\(mark) (fit \(num(fit?.outputRelError))), "
                        + "act MSE \(num(r.actMSE)) (fit \(num(fit?.actMSE))), max|x̃| \(num(r.actMaxAbs))\n"
                }
            }
            if let sp = e.seedSpread {
                func line(_ name: String, _ s: SeedSpread.Summary) -> String {
                    "\(name) mean \(num(Float(s.mean))) (min \(num(Float(s.min))), max \(num(Float(s.max))), std \(num(Float(s.std))))"
                }
                out += "  DuQuant over seeds 0…\(sp.seeds - 1): "
                    + ([sp.outputRelError.map { line("out rel err", $0) }, line("act MSE", sp.actMSE), line("max|x̃|", sp.actMaxAbs)]
                        .compactMap { $0 }.joined(separator: "; ")) + "\n"
            }
        }
        if layers.contains(where: { $0.methods.values.contains { $0.outputRelError != nil } }) {
            out += "\n* lowest output relative error ‖XWᵀ − Q(X̃)Q(W̃)ᵀ‖/‖XWᵀ‖\n"
        }
        out += "(own): measured in each method's own transformed space (X̃, W̃): not comparable across methods\n"
        if p.sameSettings { out += "same settings for all: every method under DuQuant's α, lac and swc\n" }
        return out
    }

    static func align(_ rows: [[String]]) -> String {
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { c, cell in
                let padding = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func paramsJSON(_ p: QuantParams) -> JSONText {
        .object([("abits", .int(p.abits)), ("wbits", .int(p.wbits)), ("block", .int(p.block)),
                 ("steps", .int(p.steps)), ("patience", .int(p.patience)),
                 ("exact_greedy", .bool(p.patience == 0)), ("perm_times", .int(p.permTimes)), ("alpha", .float(p.alpha)),
                 ("smooth", .bool(p.smooth)), ("lac", .float(p.lac)), ("swc", .float(p.swc)),
                 ("seed", .string(String(p.seed))), ("select", .string(p.select.rawValue)),
                 ("layout", .string(p.layout.rawValue)), ("symmetric", .bool(p.weightSymmetric)), ("act_symmetric", .bool(p.actSymmetric)),
                 ("sq_alpha", .float(p.sqAlpha)), ("same_settings", .bool(p.sameSettings)),
                 ("method_settings", .object(Method.allCases.map { ($0.rawValue, settingsJSON(p.settings(for: $0))) }))])
    }

    /// `{alpha, lac, swc, weight_clip}`: `alpha` null without smoothing, `weight_clip` "search" or the ratio.
    static func settingsJSON(_ s: MethodSettings) -> JSONText {
        .object([("alpha", s.alpha.map { .float($0) } ?? .null), ("lac", .float(s.lac)), ("swc", .float(s.swc)),
                 ("weight_clip", s.searchesWeightClip ? .string("search") : .float(s.swc))])
    }

    static func json(_ layers: [LayerEvaluation], file: String, params p: QuantParams, skipped: [String] = [],
                     sidecar: [String] = []) -> JSONText {
        .object([
            ("file", .string(file)),
            ("params", paramsJSON(p)),
            ("sidecar_parameters", .array(sidecar.map { .string($0) })),
            ("mse_space", .string("own: act_mse and weight_mse are measured in each method's own transformed space, "
                + "not comparable across methods (output_rel_error is)")),
            ("skipped", .array(skipped.map { .string($0) })),
            ("layers", .array(layers.map { e in
                .object([
                    ("name", .string(e.name)), ("tokens", .int(e.tokens)), ("in_features", .int(e.inFeatures)),
                    ("out_features", e.outFeatures.map { .int($0) } ?? .null),
                    ("non_finite", nonFiniteJSON(e.nonFinite)),
                    ("seed_spread", e.seedSpread.map(spreadJSON) ?? .null),
                    ("baseline", e.baseline.map { b in .object([("params", paramsJSON(b.params)),
                        ("methods", .object(b.methods.keys.sorted().map { m in
                            let r = b.methods[m]!, now = e.methods[m]
                            func rel(_ x: Float?, _ y: Float?) -> JSONText {
                                guard let x, let y, y != 0 else { return .null }
                                return .float(x / y)
                            }
                            return (m.rawValue, .object([("output_rel_error", .float(r.outputRelError)), ("act_mse", .float(r.actMSE)),
                                                         ("output_rel_error_ratio", rel(now?.outputRelError, r.outputRelError)),
                                                         ("act_mse_ratio", rel(now?.actMSE, r.actMSE))]))
                        }))]) } ?? .null),
                    ("split", e.heldOut.map { h in .object([("spec", .string(h.source.spec)), ("fit_tokens", .int(h.source.fitTokens)),
                                                             ("eval_tokens", .int(h.source.evalTokens)),
                                                             ("eval_file", h.source.evalFile.map { .string($0) } ?? .null)]) } ?? .null),
                    ("held_out", e.heldOut.map { h in .object(h.methods.keys.sorted().map { m in
                        let r = h.methods[m]!
                        return (m.rawValue, .object([("act_max_abs", .float(r.actMaxAbs)), ("act_mse", .float(r.actMSE)),
                                                     ("weight_mse", .float(r.weightMSE)),
                                                     ("output_rel_error", .float(r.outputRelError))]))
                    }) } ?? .null),
                    ("methods", .object(e.methods.keys.sorted().map { m in
                        let r = e.methods[m]!
                        var fields: [(String, JSONText)] = [
                            ("settings", settingsJSON(e.params.settings(for: m))),
                            ("act_max_abs", .float(r.actMaxAbs)), ("kurtosis", .float(r.kurtosis)),
                            ("act_mse", .float(r.actMSE)), ("weight_mse", .float(r.weightMSE)),
                            ("output_rel_error", .float(r.outputRelError)),
                            ("block_mean_variance", .float(r.blockMeanVariance)), ("seconds", .number(r.seconds)),
                        ]
                        if let kept = r.keptSteps { fields.append(("kept_steps", .array(kept.map { .int($0) }))) }
                        if m == .duquant, let cal = e.calibration {
                            fields.append(("kept_steps_per_block", .array(cal.traces.map { .array($0.map { .int($0.kept) }) })))
                        }
                        if let note = r.note { fields.append(("note", .string(note))) }
                        if let a = r.anatomy { fields.append(("anatomy", anatomyJSON(a))) }
                        fields.append(("overflow", .array(NumericAudit.overflowedMetrics(r).map { .string($0) })))
                        fields.append(("per_token_error", .array(r.perTokenError.map { .float($0) })))
                        return (m.rawValue, .object(fields))
                    })),
                ])
            })),
        ])
    }

    /// - Parameter sidecar: the cell of a last column `sidecar_parameters` (`NAME.json sets --block 16 …`,
    ///   empty when the sidecar set nothing); nil: no such column.
    static func csv(_ layers: [LayerEvaluation], params p: QuantParams, sidecar: String? = nil) -> String {
        // Anatomy columns only when it was asked for (the header stays as before otherwise).
        let anatomy = layers.contains { $0.methods.values.contains { $0.anatomy != nil } }
        let seeds = layers.contains { $0.seedSpread != nil }
        let split = layers.contains { $0.heldOut != nil }
        let base = layers.contains { $0.baseline != nil }
        var out = "layer,tokens,in_features,out_features,method,act_max_abs,kurtosis,act_mse,weight_mse,"
            + "output_rel_error,block_mean_variance,seconds,kept_steps,select,layout,non_finite,overflow,"
            + "method_alpha,method_lac,method_swc,method_weight_clip"
            + (anatomy ? ",out_act_only,out_weight_only,act_clip_share,weight_clip_share" : "")
            + (seeds ? ",seeds,seed_out_mean,seed_out_min,seed_out_max,seed_out_std" : "")
            + (split ? ",calib_tokens,held_out_output_rel_error,held_out_act_mse" : "")
            + (base ? ",baseline_output_rel_error,baseline_ratio" : "")
            + (sidecar != nil ? ",sidecar_parameters\n" : "\n")
        func f(_ v: Float?) -> String { v.map { $0.isFinite ? "\($0)" : "" } ?? "" }
        for e in layers {
            for m in e.methods.keys.sorted() {
                let r = e.methods[m]!
                let kept = r.keptSteps.map { $0.map(String.init).joined(separator: " ") } ?? ""
                out += [csvField(e.name), "\(e.tokens)", "\(e.inFeatures)", e.outFeatures.map(String.init) ?? "",
                        m.rawValue, f(r.actMaxAbs), f(r.kurtosis), f(r.actMSE), f(r.weightMSE), f(r.outputRelError),
                        f(r.blockMeanVariance), String(format: "%.6f", r.seconds), kept, p.select.rawValue,
                        p.layout.rawValue, "\(e.nonFinite.reduce(0) { $0 + $1.count })",
                        NumericAudit.overflowedMetrics(r).joined(separator: " "),
                        f(e.params.settings(for: m).alpha), f(e.params.settings(for: m).lac), f(e.params.settings(for: m).swc),
                        e.params.settings(for: m).searchesWeightClip ? "search" : f(e.params.settings(for: m).swc)].joined(separator: ",")
                    + (anatomy ? "," + [f(r.anatomy?.activationsOnly), f(r.anatomy?.weightsOnly),
                                        f(r.anatomy?.activationClipShare), f(r.anatomy?.weightClipShare)].joined(separator: ",") : "")
                    + (seeds ? "," + seedCells(m == .duquant ? e.seedSpread : nil) : "")
                    + (split ? "," + [csvField(e.heldOut?.source.spec ?? ""), f(e.heldOut?.methods[m]?.outputRelError),
                                      f(e.heldOut?.methods[m]?.actMSE)].joined(separator: ",") : "")
                    + (base ? "," + [f(e.baseline?.methods[m]?.outputRelError),
                                     f(e.baseline?.methods[m]?.outputRelError.flatMap { b in r.outputRelError.map { $0 / b } })]
                        .joined(separator: ",") : "")
                    + (sidecar.map { "," + csvField($0) } ?? "")
                    + "\n"
            }
        }
        return out
    }

    /// `null` when the layer was finite, else `{count, nan, inf, first:[t,c], tensor, rule, tensors:[…]}`:
    /// the totals, the first location (in the input if it has any, else in the weight) and per tensor.
    static func nonFiniteJSON(_ reports: [NonFiniteReport]) -> JSONText {
        guard let first = reports.first else { return .null }
        func one(_ r: NonFiniteReport) -> JSONText {
            .object([("tensor", .string(r.tensor)), ("count", .int(r.count)), ("nan", .int(r.nanCount)),
                     ("inf", .int(r.infinityCount)), ("first", .array([.int(r.firstRow), .int(r.firstColumn)]))])
        }
        return .object([
            ("count", .int(reports.reduce(0) { $0 + $1.count })),
            ("nan", .int(reports.reduce(0) { $0 + $1.nanCount })),
            ("inf", .int(reports.reduce(0) { $0 + $1.infinityCount })),
            ("first", .array([.int(first.firstRow), .int(first.firstColumn)])),
            ("tensor", .string(first.tensor)),
            ("rule", .string(NumericAudit.nonFiniteRule)),
            ("tensors", .array(reports.map(one))),
        ])
    }

    /// A text cell of CSV: control characters escaped (``DisplayText``), a leading `=`, `+`, `-` or `@`
    /// (which a spreadsheet would run as a formula, e.g. `=HYPERLINK(…)`) neutralised by a leading `'`,
    /// and the cell quoted (quotes doubled) when it holds a comma, a quote or such a prefix.
    static func csvField(_ s: String) -> String {
        var cell = DisplayText.escaped(s)
        var quote = cell.contains(where: { $0 == "," || $0 == "\"" })
        if let first = cell.unicodeScalars.first, "=+-@".unicodeScalars.contains(first) {
            cell = "'" + cell
            quote = true
        }
        return quote ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }
}
