import DuQuantCore

/// The explorer's logic: one pure `update(state, msg) -> [Effect]`, the parent of the components.
///
/// Input goes to the key table or the mouse, which name a component's message; `update` routes it to that
/// component's `update(&its state, msg, context)`, which returns ``Request``s; ``apply(_:_:)`` turns them
/// into changes of the shared data and into effects. Results of effects go to the handlers in
/// `App+Results.swift`, which pass what each component keeps to it as a message.
///
/// ```swift
/// var state = AppState(files: ["a.safetensors"], layers: entries)
/// var effects = App.start(&state)           // open the first layer, scan the rest
/// effects += App.update(&state, .key(.char("2")))
/// ```
package enum App {
    /// Effects to run at startup: open the first layer and scan all layers in the background.
    package static func start(_ state: inout AppState) -> [Effect] {
        guard !state.shared.layers.isEmpty else {
            report(&state, "no layers found in \(state.shared.files.joined(separator: ", "))")
            return []
        }
        return openLayer(&state, state.list.selected) + rescan(&state)
    }

    /// Applies `msg` to `state` and returns the work it asks for.
    package static func update(_ state: inout AppState, _ msg: Msg) -> [Effect] {
        Hop.here()
        switch msg {
        case .key(let key):
            return handleKey(&state, key)
        case .mouse(let event):
            return handleMouse(&state, event)
        case .resize(let size):
            state.display.size = size
            return route(&state, .list(.keepVisible))
        case .model(let m):
            return modelMessage(&state, m)
        case .list, .parameters, .heatmap, .step, .methods, .status, .overlays, .app:
            return route(&state, msg)
        default:
            return result(&state, msg)
        }
    }

    /// A component's message to its component; what it asks for, applied.
    static func route(_ state: inout AppState, _ msg: Msg) -> [Effect] {
        Hop.here()
        let ctx = state.context
        let requests: [Request]
        switch msg {
        case .list(let m): requests = LayerList.update(&state.list, m, ctx)
        case .parameters(let m): requests = Parameters.update(&state.parameters, m, ctx)
        case .heatmap(let m):
            let compare = state.heatmap.compare
            requests = Heatmap.update(&state.heatmap, m, ctx)
            // The layout changed with compare: the list keeps its selection visible in it.
            if state.heatmap.compare != compare { _ = route(&state, .list(.keepVisible)) }
        case .step(let m): requests = StepThrough.update(&state.heatmap.step, m, ctx)
        case .methods(let m): requests = Methods.update(&state.methods, m, ctx)
        case .status(let m): requests = Status.update(&state.status, m)
        case .overlays(let m): requests = Overlays.update(&state.overlays, m)
        case .model(let m): requests = ModelPanel.update(&state.model, m, ctx)
        case .app(let action): return appAction(&state, action)
        default: return []
        }
        return apply(&state, requests)
    }

    /// The app's own messages.
    static func appAction(_ state: inout AppState, _ action: AppAction) -> [Effect] {
        switch action {
        case .quit:
            // Leaving is state, not work: the run loop ends once `quitting` is set, and cancels what runs.
            state.quitting = true
            return []
        case .back:
            if state.heatmap.step != nil { return route(&state, .step(.leave)) }
            state.focus = .layers
            return []
        case .nextTheme:
            state.display.themeIndex = (state.display.themeIndex + 1) % state.display.themes.count
            return notice(&state, "theme: \(state.display.theme.name)")
        }
    }

    /// Carries out what a component asked for, in order.
    static func apply(_ state: inout AppState, _ requests: [Request]) -> [Effect] {
        var effects: [Effect] = []
        for request in requests {
            switch request {
            case .notice(let text): effects += notice(&state, text)
            case .error(let text): effects += route(&state, .status(.error(text)))
            case .focus(let focus): state.focus = focus
            case .focusHeatmapFromList: if state.focus == .layers { state.focus = .heatmap }
            case .openLayer(let i): effects += openLayer(&state, i)
            case .setParams(let p): effects += setParams(&state, p)
            case .evaluate: effects += evaluate(&state)
            case .rescan: effects += rescan(&state)
            case .requestStep: effects += requestStep(&state)
            case .measureHeldOut: effects += measureHeldOut(&state)
            case .measureSeedSpread: effects += measureSeedSpread(&state)
            case .cancel(let kind):
                state.jobs.busy[kind] = nil
                effects.append(.cancel(kind))
            case .stopComputation: effects += stopComputation(&state)
            case .listMethodChanged:
                listMethodChanged(&state)
                effects += modelRecompute(&state)
            case .modelRecompute: effects += modelRecompute(&state)
            case .modelSensitivity: effects += modelSensitivity(&state)
            }
        }
        return effects
    }

    static func notice(_ state: inout AppState, _ text: String) -> [Effect] {
        route(&state, .status(.notice(text)))
    }

    /// Shows `problem` in the status bar until dismissed and adds it to the session's list.
    package static func report(_ state: inout AppState, _ problem: String) {
        _ = route(&state, .status(.report(problem)))
    }
}
