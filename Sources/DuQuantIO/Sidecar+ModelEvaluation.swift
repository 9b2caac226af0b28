import DuQuantCore

extension Sidecar {
    /// The sidecar's `model_eval` object (written by `make eval`, tools/eval/run_eval.py):
    ///
    /// ```json
    /// {"metric": "perplexity", "text": "Apache-2.0 excerpt, 547 tokens", "fp": 17.53,
    ///  "methods": {"rtn": {"W4A4": 912.3, "W4A16": 19.1, "W8A8": 17.9}, "duquant": {"W4A4": 21.4}},
    ///  "seed_spread": {"method": "duquant", "setting": "W4A4", "seeds": 3, "min": 21.1, "max": 21.9},
    ///  "params": "alpha 0.6 block 128 steps 256 lac 0.9 swc 0.8"}
    /// ```
    ///
    /// Every figure is checked (``figureProblem(_:metric:)``): a method's figure that fails is left out, a
    /// seed spread that fails is left out, and without a valid `fp` the whole object is (it is the
    /// reference); each is noted once in `notes`. Methods this build does not know are skipped.
    static func parseModelEvaluation(_ v: JSONValue, notes: inout SidecarNotes) -> ModelEvaluation? {
        guard v.object != nil else {
            notes.ignore("model_eval", "not an object")
            return nil
        }
        let metric = v["metric"]?.string ?? "perplexity"
        let fp: Double
        switch figure(v["fp"], metric: metric) {
        case .success(let x): fp = x
        case .failure(let why):
            notes.ignore("model_eval.fp", why.text + "; the model figures are not shown")
            return nil
        }
        guard let methods = v["methods"]?.object else {
            notes.ignore("model_eval.methods", "not an object of methods")
            return nil
        }
        var figures: [String: [Method: Double]] = [:]
        for (name, settings) in methods {
            guard let m = Method(rawValue: name) else { continue }
            guard let settings = settings.object else {
                notes.ignore("model_eval.methods.\(name)", "not an object of figures")
                continue
            }
            for (setting, value) in settings {
                switch figure(value, metric: metric) {
                case .success(let x): figures[setting, default: [:]][m] = x
                case .failure(let why): notes.ignore("model_eval.methods.\(name).\(SidecarNotes.shown(setting))", why.text)
                }
            }
        }
        return ModelEvaluation(metric: metric, text: v["text"]?.string, fullPrecision: fp, figures: figures,
                               seedSpread: seedSpread(v["seed_spread"], metric: metric, notes: &notes),
                               params: v["params"]?.string)
    }

    /// The seed spread, when it names a known method and its count and figures are in range.
    private static func seedSpread(_ s: JSONValue?, metric: String, notes: inout SidecarNotes) -> ModelEvaluation.SeedSpread? {
        guard let s else { return nil }
        guard let m = s["method"]?.string.flatMap(Method.init(rawValue:)), let setting = s["setting"]?.string else { return nil }
        let entry = "model_eval.seed_spread"
        guard let n = s["seeds"]?.int, n >= 1 else {
            notes.ignore(entry, "seeds \(shownNumber(s["seeds"])) is not a count ≥ 1")
            return nil
        }
        let lo: Double, hi: Double
        switch (figure(s["min"], metric: metric), figure(s["max"], metric: metric)) {
        case (.success(let a), .success(let b)): (lo, hi) = (a, b)
        case (.failure(let why), _): notes.ignore(entry, "min: " + why.text); return nil
        case (_, .failure(let why)): notes.ignore(entry, "max: " + why.text); return nil
        }
        guard lo <= hi else {
            notes.ignore(entry, "min \(lo) is above max \(hi)")
            return nil
        }
        return .init(method: m, setting: setting, seeds: n, min: lo, max: hi)
    }

    /// Why a figure is refused, as a sentence part.
    struct FigureProblem: Error { var text: String }

    /// `v` as a figure of `metric`: a number, finite as a `Float` (the screen shows it as one), and for a
    /// perplexity (exp of a mean negative log-likelihood) at least 1.
    static func figure(_ v: JSONValue?, metric: String) -> Result<Double, FigureProblem> {
        guard case .number(let text)? = v, let d = Double(text) else {
            return .failure(FigureProblem(text: "\(shownNumber(v)) is not a number"))
        }
        if metric == "perplexity" {
            guard d >= 1, Float(d).isFinite else {
                return .failure(FigureProblem(text: "\(shownNumber(v)) is not a perplexity (≥ 1 and finite as a Float)"))
            }
        } else if !Float(d).isFinite {
            return .failure(FigureProblem(text: "\(shownNumber(v)) is not finite as a Float"))
        }
        return .success(d)
    }

    /// A value as the warning quotes it: a number's text (cut short), or what kind of value it is.
    private static func shownNumber(_ v: JSONValue?) -> String {
        switch v {
        case .number(let text)?: SidecarNotes.shown(text, limit: 24)
        case .string?: "a string"
        case nil: "missing"
        case .null?: "null"
        case .bool?: "a boolean"
        case .array?: "an array"
        case .object?: "an object"
        }
    }
}
