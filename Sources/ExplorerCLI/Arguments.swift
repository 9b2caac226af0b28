/// A command-line mistake: printed as one line on stderr, exit status 2.
package struct CLIError: Error, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// The arguments of one subcommand, split into positionals, valued options and flags.
///
/// Options are `--name value` or `--name=value` and may repeat; flags take no value. Anything after
/// `--` is positional.
///
/// ```swift
/// let a = try Arguments.parse(["f.npz", "--layer", "a", "--ascii"], options: ["layer"], flags: ["ascii"])
/// a.values("layer")  // ["a"]
/// ```
package struct Arguments {
    package var positionals: [String] = []
    package var options: [String: [String]] = [:]
    package var flags: Set<String> = []

    /// Parses `args` against the names a subcommand accepts.
    package static func parse(_ args: [String], options known: Set<String>, flags knownFlags: Set<String>,
                             command: String) throws(CLIError) -> Arguments {
        var out = Arguments()
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            let arg = args[i]
            i += 1
            if onlyPositionals || !arg.hasPrefix("-") || arg == "-" {
                out.positionals.append(arg)
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            var name = String(arg.drop { $0 == "-" })
            var value: String? = nil
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if knownFlags.contains(name) {
                if value != nil { throw CLIError("--\(name) takes no value") }
                out.flags.insert(name)
            } else if known.contains(name) {
                if value == nil {
                    guard i < args.count else { throw CLIError("--\(name) needs a value") }
                    value = args[i]
                    i += 1
                }
                out.options[name, default: []].append(value!)
            } else {
                throw CLIError("unknown option \(arg) for '\(command)' (see: duquant-explorer help)")
            }
        }
        return out
    }

    /// Every value given for `name`, in order.
    package func values(_ name: String) -> [String] { options[name] ?? [] }

    /// The last value given for `name`.
    package func value(_ name: String) -> String? { options[name]?.last }

    /// Whether flag `name` was given.
    package func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The last value of `name` as an integer in `range`.
    package func int(_ name: String, in range: ClosedRange<Int>) throws(CLIError) -> Int? {
        guard let v = value(name) else { return nil }
        guard let n = Int(v), range.contains(n) else {
            throw CLIError("--\(name) must be an integer in \(range.lowerBound)…\(range.upperBound) (got '\(v)')")
        }
        return n
    }

    /// The last value of `name` as a finite float in `range`.
    package func float(_ name: String, in range: ClosedRange<Float>) throws(CLIError) -> Float? {
        guard let v = value(name) else { return nil }
        guard let f = Float(v), f.isFinite, range.contains(f) else {
            throw CLIError("--\(name) must be a number in \(range.lowerBound)…\(range.upperBound) (got '\(v)')")
        }
        return f
    }

    /// The last value of `name` as one of an enumeration's raw values.
    package func choice<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) throws(CLIError) -> T?
    where T.RawValue == String {
        guard let v = value(name) else { return nil }
        guard let t = T(rawValue: v) else {
            throw CLIError("--\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: "|")) (got '\(v)')")
        }
        return t
    }
}
