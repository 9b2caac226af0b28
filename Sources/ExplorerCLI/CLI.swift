import DuQuantCompute
import DuQuantCore
import DuQuantIO
#if canImport(Glibc)
import Glibc
#endif

/// Entry point of the command line: dispatches subcommands, prints one-line errors, returns exit codes.
package enum CLI {
    package static let version = "0.1.0"

    static let help = """
        duquant-explorer \(version) — see DuQuant's outlier transforms on real activations

        usage:
          duquant-explorer FILE… [--layer P] [--stage S] [--theme NAME] [--ascii] [--color never|always|auto]
                                 [--compare] [--log|--linear] [--calib-tokens SPEC] [--model DIR [--model-tokens FILE]]
                                 [parameters]         open the explorer (a full-screen terminal UI); a
                                                      directory of .safetensors/.npz files opens them all
          duquant-explorer list FILE… [--memory-budget SIZE]   layers, shapes, dtype, largest value and where
          duquant-explorer report FILE [options]      RTN, SmoothQuant, block Hadamard, QuaRot-style, DuQuant
              --layer P (repeat)   --methods rtn,smoothquant,hadamard,quarot,duquant   --format table|json|csv
              --anatomy   --seeds N   --calib-tokens A:B|even|odd   --eval-file FILE2   --baseline "PARAMS"
              [parameters]   (duquant-explorer report --help: what each one does)
          duquant-explorer export FILE --layer P -o OUT.safetensors   the calibrated transform (-o or --output)
              --method rtn|smoothquant|hadamard|quarot|duquant   --all-layers -o DIR [--shard K/N]   --list-methods
              --all-layers … --plan (JSON: files, shapes, memory)   --shard K/N --positions 1,4,7-9 (a part's layers)
          duquant-explorer perplexity DUMP --model DIR [--tokens FILE] [--methods M,…] [--transforms DIR]…
                                 [--settings W4A4,W4A16,…] [--only-layer P]… [--format table|json] [parameters]
                                                      the model's perplexity, FP and per method, every linear
                                                      fake-quantized after its transform (Swift forward pass)
          duquant-explorer render FILE [--layer P] [--stage S] [--size 120x40] [--ascii] [--color never|always|auto]
                                 [--theme NAME] [--compare] [--log|--linear] [parameters]
                                                      print the explorer's screen as text (headless)
          duquant-explorer bench [--quick] [--runs N] [--no-peer] [--samples DIR]   timings (release build)
          duquant-explorer shard-run FILE --layer P --shards K [--check] [parameters]
                                                      DuQuant over K token shards, each a shard-worker
                                                      process (docs/DISTRIBUTED.md, "Token shards")
          duquant-explorer help                       this text; COMMAND --help: that command's options

        explorer and render options:
          --layer P                 the layer to open: an exact name or a unique part of one
          --stage S                 original|smoothed|rotation1|permutation|rotation2|error (or 1-6)
          --theme NAME              colour theme (themes/: dark, light, viridis, mono)
          --ascii                   plain ASCII glyphs
          --color never|always|auto colour output (auto: a terminal without NO_COLOR)
          --compare                 Original beside the chosen stage, on one scale
          --log, --linear           colour scale (default: log when max/median |x| >= 1000, else linear)
          --size WxH                render only: the screen size (default 120x40)
          --calib-tokens SPEC       hold tokens out: fit on tokens A:B, even or odd, score on the others too
          --model DIR               the dump's model (config.json + *.safetensors): the Model panel shows the
                                    model's perplexity live (M: this layer only / all layers, Z: per-layer
                                    sensitivity); default: the sidecar's model_forward (written by make eval)
          --model-tokens FILE       the Model panel's evaluation tokens (JSON ids, or an object with token_ids);
                                    default: the sidecar's model_forward tokens, else the dump's own token_ids
        A dump's sidecar JSON may name parameters (e.g. block, steps, no-smooth): the explorer, render, report
        and export use them for the options the command line does not give (command line, then sidecar, then
        the defaults), and say which came from the sidecar ("NAME.json sets …").

        parameters (report, export, the explorer):
        \(ParameterOptions.help)

        methods (report --methods; each under its own settings unless --same-settings):
        \(methodsHelp)

        FILE: .safetensors, .npy, .npz, a directory of .npy files, or a directory of .safetensors/.npz files
        (such as samples/toy: its files in name order); a layer is a prefix P with P.input (tokens × in) and
        optionally P.weight (out × in).
        """

    /// One line per method: its key, what it does and leaves out, and its default settings.
    static let methodsHelp: String = Method.allCases.map { m in
        "  \(m.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))\(m.title): \(m.help)\n"
            + "                \(QuantParams().settings(for: m).summary)"
    }.joined(separator: "\n")

    /// A subcommand that lives in another target (`bench`): its arguments after the name in, its output out.
    package typealias Command = @Sendable ([String]) throws(CLIError) -> String

    /// Runs the command line with `arguments` (without the program name) and returns the exit code;
    /// `commands` adds subcommands of other targets (the executable passes `bench`).
    package static func run(_ arguments: [String], commands: [String: Command] = [:]) -> Int32 {
        // Numeric work on this thread (the explorer's drawing, the commands) flushes denormals.
        FlushToZero.enableOnThisThread()
        // A write past `ulimit -f` then fails with EFBIG (reported, temporary file removed) instead of
        // killing the process mid-write.
        signal(SIGXFSZ, SIG_IGN)
        // A file (not a subcommand) opens the full-screen explorer, which owns the terminal.
        if let first = arguments.first, !first.hasPrefix("-"), !subcommands.contains(first) {
            if asksForHelp(arguments) {
                writeOut(help + "\n")
                return 0
            }
            return ExplorerCommand.run(arguments)
        }
        do {
            let output = try dispatch(arguments, commands: commands)
            // `render --color` draws with escape sequences on purpose (its grid already shows control
            // characters from names as `?`); every other command prints plain text.
            writeOut(arguments.first == "render" ? output : DisplayText.escapedKeepingLines(output))
            return 0
        } catch {
            writeErr("duquant-explorer: \(error.message)\n")
            return 2
        }
    }

    /// Words that name a subcommand rather than a file to open.
    static let subcommands: Set<String> = ["help", "--help", "-h", "version", "--version", "list", "report", "export", "perplexity", "render", "bench", "shard-worker", "shard-run"]

    /// The text a command prints, or the error it fails with (testable without a process).
    package static func dispatch(_ arguments: [String], commands: [String: Command] = [:]) throws(CLIError) -> String {
        guard let first = arguments.first else { return help + "\n" }
        let rest = Array(arguments.dropFirst())
        // Each command reads its own `--memory-budget` when it parses its options, and binds it for its
        // work on this thread only (tests run many commands at once in one process).
        if let extra = commands[first] { return try extra(rest) }
        return try command(first, rest)
    }

    /// Whether `--help` or `-h` comes among `args` (before any `--`).
    static func asksForHelp(_ args: [String]) -> Bool {
        args.prefix { $0 != "--" }.contains { $0 == "--help" || $0 == "-h" }
    }

    /// What `COMMAND --help` prints: its usage, then the options it shares with others.
    static func usage(of command: String) -> String? {
        switch command {
        case "list": return ListCommand.usage + "\n"
        case "report": return ReportCommand.usage + "\n\nparameters:\n" + ParameterOptions.help + "\n\nmethods:\n" + methodsHelp + "\n"
        case "export": return ExportCommand.usage + "\n\nparameters:\n" + ParameterOptions.help + "\n"
        case "shard-worker": return ShardWorkerCommand.usage + "\n\nparameters:\n" + ParameterOptions.help + "\n"
        case "shard-run": return ShardRunCommand.usage + "\n\nparameters:\n" + ParameterOptions.help + "\n"
        case "render": return RenderCommand.usage + "\n\n" + explorerOptionsHelp + "\n\nparameters:\n" + ParameterOptions.help + "\n"
        default: return nil
        }
    }

    /// The part of the help about the explorer's and render's own options.
    static var explorerOptionsHelp: String {
        let text = help.components(separatedBy: "explorer and render options:\n").last ?? ""
        return "explorer and render options:\n" + (text.components(separatedBy: "\n\n").first ?? "")
    }

    private static func command(_ first: String, _ rest: [String]) throws(CLIError) -> String {
        if asksForHelp(rest), let usage = usage(of: first) { return usage }
        switch first {
        case "help", "--help", "-h": return help + "\n"
        case "--version", "version": return "duquant-explorer \(version)\n" + BLASCoreSelection.versionLines + "Build: \(BuildIdentity.binary)\n"
        case "list": return try ListCommand.run(rest)
        case "report": return try ReportCommand.run(rest)
        case "export": return try ExportCommand.run(rest)
        case "perplexity": return try PerplexityCommand.run(rest)
        case "render": return try RenderCommand.run(rest)
        case "shard-worker": return try ShardWorkerCommand.run(rest)
        case "shard-run": return try ShardRunCommand.run(rest)
        case "bench": throw CLIError("bench is not part of this build (see: duquant-explorer help)")
        default:
            throw CLIError("unknown command or option \(first) (see: duquant-explorer help)")
        }
    }

    /// Writes all of `s` to file descriptor `fd` (write(2) directly: stdio globals are not Sendable).
    static func write(_ s: String, to fd: Int32) {
        var bytes = Array(s.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }  // a closed pipe: nothing more to do
            offset += n
        }
    }

    static func writeOut(_ s: String) { write(s, to: 1) }

    /// Writes `s` to stderr with any control character but the line break shown as a visible escape
    /// (``DisplayText``): errors and progress lines may quote names from a file.
    package static func writeErr(_ s: String) { write(DisplayText.escapedKeepingLines(s), to: 2) }
}
