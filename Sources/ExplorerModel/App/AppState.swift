import DuQuantCore

/// Which panel receives movement keys.
package enum Focus: Sendable, Hashable { case layers, heatmap, params }

/// The layer currently open: its data and, if the dump has a sidecar, the token texts.
package struct OpenLayer: Sendable {
    package var index: Int
    package var data: LayerData
    package var tokens: [String]?

    package init(index: Int, data: LayerData, tokens: [String]?) {
        self.index = index
        self.data = data
        self.tokens = tokens
    }
}

/// Greedy step-through: which rotation stage and how many of its steps are applied.
package struct StepState: Sendable {
    /// Index into the calibration's traces (0 = rotation 1, last = rotation 2).
    package var rotation = 0
    /// Steps applied in every block.
    package var step = 0
    /// Which block's trace the sparkline shows (index into that stage's traces).
    package var traceIndex = 0
    /// The heatmap after `step` steps, once computed.
    package var matrix: Matrix?
    /// Statistics of `matrix`.
    package var stats: StageStats?
    /// The step `matrix` shows (it lags `step` while computing).
    package var shownStep: Int?

    package init() {}
}

/// A running computation, shown in the status bar once it reports progress.
package struct Busy: Sendable, Equatable {
    package var what: String
    package var fraction: Double?
    package var elapsed: Double?

    package init(what: String, fraction: Double? = nil, elapsed: Double? = nil) {
        self.what = what
        self.fraction = fraction
        self.elapsed = elapsed
    }
}

/// The whole state of the explorer; the screen is a function of it.
package struct AppState: Sendable {
    // MARK: Input
    package var files: [String]
    package var layers: [LayerEntry]

    // MARK: Navigation
    package var selected = 0
    package var listOffset = 0
    /// The list's order (`o`); `selected` stays a layer index, ``listOrder`` maps rows to layers.
    package var listSort: ListSort = .file
    package var focus: Focus = .layers
    package var open: OpenLayer?
    /// The layer being loaded, if any.
    package var loading: Int?
    package var search: String?
    package var showHelp = false
    package var helpScroll = 0

    // MARK: What the heatmap shows
    package var stage: Stage = .original
    package var compare = false
    package var compareLeft: Stage = .original
    /// The colour scale chosen with `L` or `--log`; nil lets ``scale`` choose from the layer.
    package var scaleChoice: HeatScale?
    package var heat = HeatView()
    package var step: StepState?
    /// The teaching view (`T`): values printed in magnified cells whenever the visible part fits.
    package var teach = true
    /// Where `x` last put the cursor (the next `x` goes to the next largest |x|).
    package var hunt: OutlierHunt?
    /// Each file's parameters from its sidecar: opening a layer of another file switches to them.
    package var presets: [Int: Preset] = [:]
    /// Each file's explanation from its sidecar (shown under the teaching view and in the help).
    package var explanations: [Int: String] = [:]

    // MARK: Parameters and results
    package var params = QuantParams()
    package var paramRow = 0
    /// The method whose error the layer list shows.
    package var listMethod: Method = .duquant
    package var evaluation: LayerEvaluation?
    /// The latest complete figures of the open layer, and those of the setting before them (Δ).
    package var lastFigures: Figures?
    package var previousFigures: Figures?
    /// Figures pinned with `B`: every later figure is shown as a ratio to them.
    package var baseline: Figures?
    /// Model-level figures per method from the dump's sidecar (`make eval`), shown in the Methods table.
    package var modelEvaluation: ModelEvaluation?
    /// DuQuant's spread over seeds (`N`), for the parameters it was measured with (seed aside).
    package var seedSpread: (params: QuantParams, spread: SeedSpread)?
    /// What the running background scan measures the list's errors with (its figures are stamped so).
    package var scanSettings: (params: QuantParams, method: Method)?
    /// Tokens held out (`--calib-tokens`, `T`): `A:B`, `even` or `odd`; nil fits and scores on every token.
    package var heldOutSpec: String?
    /// The split's fit and held-out figures, once measured.
    package var heldOut: HeldOutResult?
    /// The lower panel shows the error's anatomy (`A`) instead of the channel profile.
    package var showAnatomy = false
    /// The Model panel (model-level perplexity), when the dump came with its model.
    package var model = ModelPanelState()
    /// Statistics of each stage matrix (the original's from loading, the rest with the evaluation).
    package var stageStats: [Stage: StageStats] = [:]
    package var busy: [EffectKind: Busy] = [:]
    package var generations: [EffectKind: Int] = [:]

    // MARK: Display
    package var size = Size(width: 80, height: 24)
    package var themes: [ThemeChoice]
    package var themeIndex = 0
    package var colourMode: ColourMode = .xterm256
    package var ascii = false

    // MARK: Messages
    /// The problem shown in the status bar until dismissed (Esc); the newest of ``problems``.
    package var lastError: String?
    /// Every problem of this session, oldest first (files that failed to open, layers skipped, failed
    /// work): the `!` overlay lists them in full.
    package var problems: [String] = []
    package var showProblems = false
    package var notice: String?
    package var quitting = false

    package init(files: [String], layers: [LayerEntry], themes: [ThemeChoice] = [ThemeChoice(name: "dark", hasRamp: true)]) {
        self.files = files
        self.layers = layers
        self.themes = themes.isEmpty ? [ThemeChoice(name: "dark", hasRamp: true)] : themes
    }

    /// The colour scale in use: the one chosen, else log when the open layer has massive outliers (max |x|
    /// over the median at least ``ExplorerDefaults/autoLogRatio``: in a linear scale everything below
    /// the outlier would be black), else linear.
    package var scale: HeatScale {
        get { scaleChoice ?? (autoLog ? .log : .linear) }
        set { scaleChoice = newValue }
    }

    /// True when no scale was chosen and the open layer's max/median is large enough for log.
    package var autoLog: Bool {
        guard scaleChoice == nil, let open, let ratio = layers[open.index].summary?.ratio else { return false }
        return ratio >= ExplorerDefaults.autoLogRatio
    }

    /// The calibration behind the stage heatmaps, if computed.
    package var calibration: DuQuantCalibration? { evaluation?.calibration }

    /// The current theme.
    package var theme: ThemeChoice { themes[min(max(0, themeIndex), themes.count - 1)] }

    /// True when heatmaps use the one-row ASCII ramp rather than two half-block rows per text row.
    package var asciiHeat: Bool { ascii || colourMode == .mono || !theme.hasRamp }

    /// Data rows per heatmap text row: two half-blocks in colour, one character in ASCII.
    package var heatRowsPerCell: Int { asciiHeat ? 1 : 2 }

    /// The matrix for `stage` of the open layer, if available (the original is available once loaded).
    package func matrix(for stage: Stage) -> Matrix? {
        if let cal = calibration { return cal.stages[stage] }
        return stage == .original ? open?.data.input : nil
    }

    /// Statistics of `stage` (or of the step-through matrix when `stage` is nil).
    package func stats(for stage: Stage?) -> StageStats? {
        guard let stage else { return step?.stats }
        return stageStats[stage]
    }

    /// The matrix shown in the main heatmap: the step-through matrix in step mode, else the stage.
    package var shownMatrix: Matrix? {
        if let step, let m = step.matrix { return m }
        if step != nil { return nil }
        return matrix(for: stage)
    }

    /// Token count and channel count of the open layer.
    package var openShape: (tokens: Int, channels: Int) {
        (open?.data.tokens ?? 0, open?.data.inFeatures ?? 0)
    }

    /// The seed spread, when it was measured with the current parameters (seed aside) on the open layer.
    package var currentSeedSpread: SeedSpread? {
        guard let s = seedSpread else { return nil }
        var a = s.params, b = params
        a.seed = 0
        b.seed = 0
        return a == b ? s.spread : nil
    }

    /// The split's figures, when measured with the current parameters on the open layer.
    package var currentHeldOut: HeldOutResult? {
        guard let h = heldOut, h.params == params, h.layer == open?.index, h.heldOut.source.spec == heldOutSpec else { return nil }
        return h
    }

    /// The current generation of `kind`.
    package func generation(_ kind: EffectKind) -> Int { generations[kind] ?? 0 }

    /// Starts a new generation of `kind` and returns it.
    package mutating func nextGeneration(_ kind: EffectKind) -> Int {
        let g = generation(kind) + 1
        generations[kind] = g
        return g
    }
}

/// A theme as the model knows it: its name and whether it has a heat ramp.
package struct ThemeChoice: Sendable, Hashable {
    package var name: String
    package var hasRamp: Bool

    package init(name: String, hasRamp: Bool) {
        self.name = name
        self.hasRamp = hasRamp
    }
}

/// Parameters a file's sidecar names, and what to say when they apply (`toy.json sets --block 4 …`).
package struct Preset: Sendable, Equatable {
    package var params: QuantParams
    package var source: String

    package init(params: QuantParams, source: String) {
        self.params = params
        self.source = source
    }
}
