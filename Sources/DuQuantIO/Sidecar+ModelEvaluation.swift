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
    /// Nil when the value is not of that shape; methods this build does not know are skipped.
    static func parseModelEvaluation(_ v: JSONValue) -> ModelEvaluation? {
        guard let fp = number(v["fp"]), let methods = v["methods"]?.object else { return nil }
        var figures: [String: [Method: Double]] = [:]
        for (name, settings) in methods {
            guard let settings = settings.object else { return nil }
            for (setting, value) in settings {
                guard let x = number(value) else { return nil }
                if let m = Method(rawValue: name) { figures[setting, default: [:]][m] = x }
            }
        }
        var spread: ModelEvaluation.SeedSpread? = nil
        if let s = v["seed_spread"], let m = s["method"]?.string.flatMap(Method.init(rawValue:)),
           let setting = s["setting"]?.string, let n = s["seeds"]?.int, let lo = number(s["min"]), let hi = number(s["max"]) {
            spread = .init(method: m, setting: setting, seeds: n, min: lo, max: hi)
        }
        return ModelEvaluation(metric: v["metric"]?.string ?? "perplexity", text: v["text"]?.string, fullPrecision: fp,
                               figures: figures, seedSpread: spread, params: v["params"]?.string)
    }

    private static func number(_ v: JSONValue?) -> Double? {
        guard case .number(let text)? = v, let d = Double(text), d.isFinite else { return nil }
        return d
    }
}
