import DuQuantCore
import DuQuantIO
import ExplorerCLI
import ExplorerModel
import ExplorerRuntime
import ExplorerView
import Foundation

/// `bench --soak`: sustained tuning. The explorer's own run loop, executor and background scan (only the
/// terminal is replaced) take a long series of parameter changes, each awaited until its figures are in,
/// and the process's resident memory is read after each one: it must level off (issue 23).
///
/// Two sessions: the bundled sample's L11 down_proj with act bits 4 → 5 → 4 … (two settings recurring,
/// as the report that found the leak tuned), and a generated 200-layer dump with the selection rule
/// toggled (every change a new DuQuant search, on the open layer and in the background scan).
enum BenchSoak {
    /// A terminal that presses the next key whenever the explorer is idle, and notes the resident memory.
    final class Driver: TerminalBackend, @unchecked Sendable {
        let size = Size(width: 160, height: 48)
        let colourMode = ColourMode.xterm256
        private let wakes = DispatchSemaphore(value: 0)
        private var keys: [Character]
        /// Whether the explorer has its figures (set once the session exists; read on the loop's thread).
        var idle: () -> Bool = { false }
        /// RSS after the open layer's figures, then after each key's.
        private(set) var rss: [Double] = []
        /// How long a user looks at the figures before the next key (the background scan works meanwhile).
        private let dwell: Duration
        private var idleSince: ContinuousClock.Instant?

        init(keys: [Character], dwell: Duration) {
            self.keys = keys
            self.dwell = dwell
        }

        func draw(_ grid: CellGrid) {}
        func shutdown() {}
        func makeWaker() -> @Sendable () -> Void {
            let s = wakes
            return { s.signal() }
        }

        func events(timeoutMilliseconds: Int) -> [TerminalEvent] {
            guard idle() else {
                idleSince = nil
                _ = wakes.wait(timeout: .now() + 0.05)
                return [.wake]
            }
            // Settled: the figures of the last key are in; then the user looks at them for a while.
            let now = ContinuousClock.now
            guard let since = idleSince, now - since >= dwell else {
                if idleSince == nil { idleSince = now }
                _ = wakes.wait(timeout: .now() + 0.02)
                return [.wake]
            }
            idleSince = nil
            rss.append(BenchSoak.residentMB())
            guard !keys.isEmpty else { return [.key(.char("q"))] }
            return [.key(.char(keys.removeFirst()))]
        }
    }

    /// Resident memory of this process in MB (`/proc/self/statm`), or 0 where unreadable.
    static func residentMB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// One session: `arguments` open the explorer, `setup` keys lead to the parameter, then `changes`
    /// changes alternate between `forward` and `back`. Returns the RSS with the open layer's figures and
    /// after each change's.
    static func run(_ arguments: [String], setup: String, forward: Character, back: Character,
                    changes: Int) throws(CLIError) -> (open: Double, changes: [Double]) {
        let options = try ExplorerOptions(arguments, command: "bench")
        let source = try Commands.layerSource(options.files)
        let (themes, themeIndex) = try options.themes()
        var state = try options.initialState(source, themes: themes, themeIndex: themeIndex)
        let attached = try ForwardModelBackend.attach(model: options.model, tokens: options.modelTokens, files: source.files,
                                                      budget: (options.memoryBudget ?? MemoryBudget.bytes) / 2)
        state.model = ModelPanelState(description: attached?.1)
        let keys = Array(setup) + (0..<changes).map { $0 % 2 == 0 ? forward : back }
        let driver = Driver(keys: keys, dwell: .milliseconds(300))
        let session = ExplorerSession(state: state, themes: themes, backend: driver, source: source, model: attached?.0)
        driver.idle = { [unowned session] in
            let s = session.state
            return s.shared.open != nil && s.shared.loading == nil && s.jobs.busy[.evaluate] == nil && s.jobs.busy[.load] == nil
                && s.jobs.busy[.model] == nil && s.jobs.busy[.sensitivity] == nil
        }
        _ = session.run()
        let rss = driver.rss
        guard rss.count == setup.count + changes + 1 else {
            throw CLIError("soak: \(rss.count) readings for \(setup.count + changes + 1) settled steps")
        }
        return (rss[0], Array(rss.suffix(changes)))
    }

    /// Least-squares slope of `values` over their index (MB per change).
    static func slope(_ values: [Double]) -> Double {
        let n = Double(values.count)
        guard values.count > 1 else { return 0 }
        let mx = (n - 1) / 2, my = values.reduce(0, +) / n
        var num = 0.0, den = 0.0
        for (i, y) in values.enumerated() {
            num += (Double(i) - mx) * (y - my)
            den += (Double(i) - mx) * (Double(i) - mx)
        }
        return num / den
    }

    /// Writes a 200-layer f32 dump (64 tokens × 256 channels, a 128 × 256 weight each, a few outlier
    /// channels) into a temporary file; its path.
    static func writeManyLayers(_ layers: Int) throws -> String {
        let path = NSTemporaryDirectory() + "duquant-soak-\(getpid()).safetensors"
        var w = SafetensorsWriter()
        var g = SeededGenerator(seed: 7)
        for l in 0..<layers {
            var x = Matrix(rows: 64, cols: 256), wt = Matrix(rows: 128, cols: 256)
            for i in x.storage.indices { x.storage[i] = Float(g.nextGaussian()) }
            for t in 0..<64 { x[t, (l * 37) % 256] *= 60; x[t, (l * 91 + 5) % 256] *= 25 }
            for i in wt.storage.indices { wt.storage[i] = Float(g.nextGaussian()) * 0.05 }
            try w.add("model.layers.\(l).mlp.down_proj.input", x)
            try w.add("model.layers.\(l).mlp.down_proj.weight", wt)
        }
        try w.write(to: path)
        return path
    }

    static func section(samples: String, changes: Int) -> String {
        var t = BenchTable(title: "Sustained tuning: resident memory over \(changes) parameter changes (each awaited, then 0.3 s for the background scan; the explorer's loop, executor and scan)")
        var sessions: [(String, () throws -> (open: Double, changes: [Double]))] = []
        if let file = BenchSamples.find(samples) {
            sessions.append(("\(file), L11 down_proj, act bits 4 ↔ 5", {
                try run([file, "--layer", "model.layers.11.mlp.down_proj"], setup: "p", forward: "l", back: "h", changes: changes)
            }))
        } else {
            t.note("sample", "skipped: no sample dump in \(samples)")
        }
        let tiny = "Tests/DuQuantForwardTests/Fixtures"
        if FileManager.default.fileExists(atPath: tiny + "/tiny-llama/config.json") {
            sessions.append(("Model panel, all layers: the tiny Llama of the forward tests, seed 0, 1, 2, … (every change recalibrates 14 layers and reruns the model; --memory-budget 4M: its caches hold 2 MB)", {
                // M: scope all layers; the seed is the 13th parameter row; every change a new seed, so the
                // caches fill up to their budget and then drop the least recently used.
                try run([tiny + "/tiny-calib.safetensors", "--model", tiny + "/tiny-llama", "--block", "32", "--steps", "24",
                         "--memory-budget", "4M"],
                        setup: "Mp" + String(repeating: "j", count: 12), forward: "l", back: "l", changes: changes)
            }))
        }
        sessions.append(("generated 200-layer dump (64×256 each), selection rule paper ↔ reference", {
            let path = try writeManyLayers(200)
            defer { try? FileManager.default.removeItem(atPath: path) }
            // The selection row is the 14th of the parameters panel.
            return try run([path], setup: "p" + String(repeating: "j", count: 13), forward: "l", back: "h", changes: changes)
        }))
        for (name, body) in sessions {
            BenchCommand.progress("soak: \(name)")
            do {
                let (open, rss) = try body()
                let warm = min(20, rss.count / 4)
                let after = Array(rss.dropFirst(warm))
                guard let first = after.first, let last = after.last else { t.note(name, "no readings"); continue }
                t.note(name, String(format: "RSS %.0f MB at open, %.0f MB after %d warm-up changes, %.0f MB after %d: %+.3f MB per change (least squares after warm-up); last/warm ×%.2f",
                                    open, first, warm, last, rss.count, slope(after), last / first))
            } catch {
                t.note(name, "failed: \(error)")
            }
        }
        return t.render()
    }
}
