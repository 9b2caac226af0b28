extension ParameterSpec {
    /// The range as error messages (and `--help`) state it (`2…8`, `0.01…1`), or the choices.
    public var rangeText: String {
        switch domain {
        case let .integer(_, r, _): return "\(r.lowerBound)…\(r.upperBound)"
        case let .ratio(_, r): return "\(Self.plain(r.lowerBound))…\(Self.plain(r.upperBound))"
        case .seed: return "any integer ≥ 0"
        case .toggle: return "on|off"
        case .selection: return Selection.allCases.map(\.rawValue).joined(separator: "|")
        case .layout: return RotationLayout.allCases.map(\.rawValue).joined(separator: "|")
        }
    }

    /// `p` with this knob one notch up (`direction` > 0) or down, inside the range, never against the
    /// direction: a value above the ladder's top stays where it is rather than falling back to the top.
    public func adjust(_ p: QuantParams, by direction: Int) -> QuantParams {
        var q = p
        let up = direction >= 0
        switch domain {
        case let .integer(path, range, ladder):
            let v = p[keyPath: path]
            var next: Int
            if ladder.isEmpty {
                next = up ? v + 1 : v - 1
            } else {
                next = (up ? ladder.first { $0 > v } : ladder.last { $0 < v }) ?? v
            }
            next = Swift.min(range.upperBound, Swift.max(range.lowerBound, next))
            q[keyPath: path] = up ? Swift.max(v, next) : Swift.min(v, next)
        case let .ratio(path, range):
            let v = p[keyPath: path]
            let h = Int((v * 100).rounded())
            let snapped = Float(up ? h / 5 * 5 + 5 : (h - 1) / 5 * 5) / 100
            let next = Swift.min(range.upperBound, Swift.max(range.lowerBound, snapped))
            q[keyPath: path] = up ? Swift.max(v, next) : Swift.min(v, next)
        case .seed:
            q.seed = up ? (p.seed == .max ? p.seed : p.seed + 1) : (p.seed == 0 ? 0 : p.seed - 1)
        case let .toggle(path, _):
            q[keyPath: path].toggle()
        case .selection:
            q.select = p.select == .paper ? .reference : .paper
        case .layout:
            q.layout = p.layout == .perblock ? .shared : .perblock
        }
        return q
    }

    /// Sets this knob from a command-line value (`--<name> text`); the range is checked by
    /// ``QuantParams/validate()``.
    public func parse(_ text: String, into p: inout QuantParams) throws(ParameterError) {
        switch domain {
        case let .integer(path, _, _):
            guard let n = Int(text) else { throw ParameterError("--\(name) must be an integer in \(rangeText) (got '\(text)')") }
            p[keyPath: path] = n
        case let .ratio(path, _):
            guard let f = Float(text), f.isFinite else {
                throw ParameterError("--\(name) must be a number in \(rangeText) (got '\(text)')")
            }
            p[keyPath: path] = f
        case .seed:
            guard let s = UInt64(text) else { throw ParameterError("--seed must be a non-negative integer (got '\(text)')") }
            p.seed = s
        case let .toggle(path, flagSets):
            p[keyPath: path] = flagSets
        case .selection:
            guard let s = Selection(rawValue: text) else { throw ParameterError("--\(name) must be one of \(rangeText) (got '\(text)')") }
            p.select = s
        case .layout:
            guard let l = RotationLayout(rawValue: text) else {
                throw ParameterError("--\(name) must be one of \(rangeText) (got '\(text)')")
            }
            p.layout = l
        }
    }

    /// Why `p`'s value of this knob is out of range, or nil.
    public func problem(in p: QuantParams) -> String? {
        switch domain {
        case let .integer(path, range, _):
            let v = p[keyPath: path]
            return range.contains(v) ? nil : "--\(name) must be in \(rangeText) (got \(v))"
        case let .ratio(path, range):
            let v = p[keyPath: path]
            return v.isFinite && range.contains(v) ? nil : "--\(name) must be in \(rangeText) (got \(Self.plain(v)))"
        case .seed, .toggle, .selection, .layout:
            return nil
        }
    }

    /// `0.6` as `0.60`: two decimals, exact for notches of 0.05.
    public static func hundredths(_ v: Float) -> String {
        let h = Int((v * 100).rounded())
        return "\(h / 100).\(h % 100 < 10 ? "0" : "")\(h % 100)"
    }

    /// A float without a float's noise: `0.6`, not `0.6000000238418579`; integers without `.0`.
    static func plain(_ v: Float) -> String {
        let d = Double(v)
        if d == d.rounded(), abs(d) < 1e9 { return "\(Int(d))" }
        return "\(v)"
    }
}

extension QuantParams {
    /// Checks every knob against its ``ParameterSpec`` range; the first problem, as one line.
    public func validate() throws(ParameterError) {
        for spec in ParameterSpec.all {
            if let problem = spec.problem(in: self) { throw ParameterError(problem) }
        }
    }
}
