import DuQuantCore

/// The Methods table's own state: the figures kept to compare with, the seed spread, the token split and
/// whether the lower panel shows the error's anatomy.
package struct MethodsState: Sendable {
    /// The lower panel shows the error's anatomy (`A`) instead of the channel profile.
    package var showAnatomy = false
    /// Tokens held out (`--calib-tokens`, `V`); nil fits and scores on every token.
    package var heldOutMode: HeldOutMode?
    /// The split's fit and held-out figures, once measured.
    package var heldOut: HeldOutResult?
    /// DuQuant's spread over seeds (`N`), for the parameters it was measured with (seed aside).
    package var seedSpread: (params: QuantParams, spread: SeedSpread)?
    /// The latest complete figures of the open layer, and those of the setting before them (Δ).
    package var lastFigures: Figures?
    package var previousFigures: Figures?
    /// Figures pinned with `B`: every later figure is shown as a ratio to them.
    package var baseline: Figures?

    package init() {}

    /// The seed spread, when it was measured with `params` (seed aside).
    package func currentSeedSpread(_ params: QuantParams) -> SeedSpread? {
        guard let s = seedSpread else { return nil }
        var a = s.params, b = params
        a.seed = 0
        b.seed = 0
        return a == b ? s.spread : nil
    }

    /// The split's figures, when measured with the current parameters on the open layer.
    package func currentHeldOut(_ shared: SharedData) -> HeldOutResult? {
        guard let h = heldOut, h.params == shared.params, h.layer == shared.open?.index,
              h.heldOut.source.spec == heldOutMode?.spec else { return nil }
        return h
    }
}

/// The Methods table's keys: the anatomy, held-out tokens, the seed spread and the baseline; and the
/// figures it keeps as results arrive.
package enum Methods {
    package enum Msg: Sendable {
        /// `A`: the error's anatomy in the lower panel.
        case toggleAnatomy
        /// `V`: hold tokens out: fit on even tokens, on the first half, then fit and score on all again.
        case nextHeldOut
        /// `N`: how much the seed alone moves DuQuant here.
        case measureSeedSpread
        /// `B`: pin the current complete figures as the baseline; on the baseline's own setting, unpin.
        case toggleBaseline
        /// Layer `index` was opened: figures of another layer are not comparable.
        case layerOpened(Int)
        /// The complete figures of the open layer arrived.
        case figures(Figures)
        case seedSpreadMeasured(params: QuantParams, spread: SeedSpread)
        case heldOutMeasured(HeldOutResult)
    }

    package static func update(_ s: inout MethodsState, _ msg: Msg, _ ctx: Context) -> [Request] {
        switch msg {
        case .toggleAnatomy:
            // It costs two more products per method: computed only once the panel is asked for.
            s.showAnatomy.toggle()
            let missing = ctx.shared.evaluation.map { e in e.methods.values.contains { $0.anatomy == nil && $0.outputRelError != nil } } ?? false
            return s.showAnatomy && missing ? [.evaluate] : []
        case .nextHeldOut: return nextHeldOut(&s, ctx)
        case .measureSeedSpread: return ctx.shared.open == nil ? [] : [.measureSeedSpread]
        case .toggleBaseline: return toggleBaseline(&s, ctx)
        case .layerOpened(let index): return layerOpened(&s, index)
        case .figures(let now):
            if let last = s.lastFigures, last.layer == now.layer, last.params != now.params { s.previousFigures = last }
            s.lastFigures = now
        case let .seedSpreadMeasured(params, spread): s.seedSpread = (params, spread)
        case .heldOutMeasured(let result): s.heldOut = result
        }
        return []
    }

    static func nextHeldOut(_ s: inout MethodsState, _ ctx: Context) -> [Request] {
        s.heldOutMode = HeldOutMode.next(after: s.heldOutMode, tokens: ctx.shared.openShape.tokens)
        s.heldOut = nil
        let notice = Request.notice(s.heldOutMode.map { "tokens held out: fit on \($0.spec), score on the rest" } ?? "no tokens held out")
        guard s.heldOutMode != nil else { return [notice, .cancel(.heldOut)] }
        let complete = ctx.shared.evaluation?.pending.isEmpty == true && ctx.shared.evaluation?.estimate == nil
        return complete ? [notice, .measureHeldOut] : [notice]
    }

    static func toggleBaseline(_ s: inout MethodsState, _ ctx: Context) -> [Request] {
        if let base = s.baseline, base.params == ctx.shared.params {
            s.baseline = nil
            return [.notice("baseline unpinned")]
        } else if let figures = s.lastFigures, !ctx.evaluating {
            s.baseline = figures
            return [.notice("baseline pinned: \(figures.params.summary)")]
        }
        return [.notice("nothing to pin yet: wait for the figures")]
    }

    static func layerOpened(_ s: inout MethodsState, _ index: Int) -> [Request] {
        s.lastFigures = nil
        s.seedSpread = nil
        s.heldOut = nil
        s.previousFigures = nil
        if s.baseline != nil && s.baseline?.layer != index {
            s.baseline = nil
            return [.notice("baseline cleared: it was pinned on another layer")]
        }
        return []
    }
}
