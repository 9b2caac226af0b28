import DuQuantCore

/// Which panel receives movement keys.
package enum Focus: Sendable, Hashable { case layers, heatmap, params }

/// The whole state of the explorer; the screen is a function of it.
///
/// It composes one state per component (each changed only by that component's `update`), the data they
/// share (``SharedData``: the layers, the open one, the parameters and the results, changed only by
/// ``App``), the jobs running and the display. The parent (``App/update(_:_:)``) routes every message to
/// one component and passes the shared data down read-only in a ``Context``.
///
/// A new panel adds one field here, one case to ``Msg`` and one route in ``App``.
package struct AppState: Sendable {
    /// The layers, the open one, the parameters and the results: one copy, read by every component.
    package var shared: SharedData
    /// The running work: its progress and the generation that makes older results stale.
    package var jobs = Jobs()
    /// Which panel takes movement keys.
    package var focus: Focus = .layers
    /// Size, theme and colours.
    package var display: DisplayState

    // MARK: Components
    package var list = LayerListState()
    package var parameters = ParametersState()
    package var heatmap = HeatmapState()
    package var methods = MethodsState()
    package var status = StatusState()
    package var overlays = OverlaysState()
    /// The Model panel (model-level perplexity), when the dump came with its model.
    package var model = ModelPanelState()

    /// Set by `q`: the run loop ends and cancels what runs.
    package var quitting = false

    package init(files: [String], layers: [LayerEntry], themes: [ThemeChoice] = [ThemeChoice(name: "dark", hasRamp: true)]) {
        shared = SharedData(files: files, layers: layers)
        display = DisplayState(themes: themes)
    }

    /// What every component may read: the shared data and the screen's size, read-only.
    package var context: Context {
        Context(shared: shared, focus: focus, size: display.size, compare: heatmap.compare,
                heatRowsPerCell: heatRowsPerCell, lowerPanelInUse: heatmap.step != nil || methods.showAnatomy,
                evaluating: jobs.busy[.evaluate] != nil)
    }
}

/// What the components share: the layers and their figures, the open layer, the parameters and the results
/// of the open layer. Only ``App`` changes it; components receive it read-only in a ``Context``.
package struct SharedData: Sendable {
    package var files: [String]
    package var layers: [LayerEntry]
    package var open: OpenLayer?
    /// The layer being loaded, if any.
    package var loading: Int?
    package var params = QuantParams()
    package var evaluation: LayerEvaluation?
    /// Statistics of each stage matrix (the original's from loading, the rest with the evaluation).
    package var stageStats: [Stage: StageStats] = [:]
    /// Each file's parameters from its sidecar: opening a layer of another file switches to them.
    package var presets: [Int: Preset] = [:]
    /// Each file's explanation from its sidecar (shown under the teaching view and in the help).
    package var explanations: [Int: String] = [:]
    /// Model-level figures per method from the dump's sidecar (`make eval`), shown in the Methods table.
    package var modelEvaluation: ModelEvaluation?
    /// What the running background scan measures the list's errors with (its figures are stamped so).
    package var scanSettings: (params: QuantParams, method: Method)?

    package init(files: [String], layers: [LayerEntry]) {
        self.files = files
        self.layers = layers
    }

    /// The calibration behind the stage heatmaps, if computed.
    package var calibration: DuQuantCalibration? { evaluation?.calibration }

    /// Token count and channel count of the open layer.
    package var openShape: (tokens: Int, channels: Int) {
        (open?.data.tokens ?? 0, open?.data.inFeatures ?? 0)
    }

    /// The matrix for `stage` of the open layer, if available (the original is available once loaded).
    package func matrix(for stage: Stage) -> Matrix? {
        if let cal = calibration { return cal.stages[stage] }
        return stage == .original ? open?.data.input : nil
    }

    /// A channel by its global number, with its block and index inside the block when blocks apply:
    /// `ch 1229 [blk 9 #77]`.
    package func channelName(_ c: Int) -> String {
        let block = params.block
        let channels = openShape.channels
        guard block > 0, block < channels else { return "ch \(c)" }
        return "ch \(c) [blk \(c / block) #\(c % block)]"
    }
}

/// What a component's `update` may read besides its own state: the shared data and the screen, read-only.
package struct Context: Sendable {
    package var shared: SharedData
    package var focus: Focus
    package var size: Size
    /// Whether the heatmap compares two stages (the layout depends on it).
    package var compare: Bool
    /// Data rows per heatmap text row (2 with half blocks, 1 in ASCII).
    package var heatRowsPerCell: Int
    /// True while the lower panel shows step-through or the anatomy (the teaching view cannot take it).
    package var lowerPanelInUse: Bool
    /// True while the open layer's figures are being computed.
    package var evaluating: Bool

    /// Where the panels sit.
    package var layout: ScreenLayout { ScreenLayout(size: size, compare: compare) }
}

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

/// The work in progress: what the status bar shows of each kind, and each kind's latest generation.
package struct Jobs: Sendable {
    package var busy: [EffectKind: Busy] = [:]
    package var generations: [EffectKind: Int] = [:]

    package init() {}

    /// The current generation of `kind`.
    package func generation(_ kind: EffectKind) -> Int { generations[kind] ?? 0 }

    /// Starts a new generation of `kind` and returns it.
    package mutating func next(_ kind: EffectKind) -> Int {
        let g = generation(kind) + 1
        generations[kind] = g
        return g
    }
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

/// The screen's size, the themes and how many colours the terminal has.
package struct DisplayState: Sendable {
    package var size = Size(width: 80, height: 24)
    package var themes: [ThemeChoice]
    package var themeIndex = 0
    package var colourMode: ColourMode = .xterm256
    package var ascii = false

    package init(themes: [ThemeChoice]) {
        self.themes = themes.isEmpty ? [ThemeChoice(name: "dark", hasRamp: true)] : themes
    }

    /// The current theme.
    package var theme: ThemeChoice { themes[min(max(0, themeIndex), themes.count - 1)] }
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
