import DuQuantCore

extension HelpText {
    /// Each method of the Methods table in two lines: what it does (and leaves out), then the settings it
    /// runs with under `p` and where they come from.
    package static func methods(_ p: QuantParams) -> [(title: String, what: String, settings: String)] {
        Method.allCases.map { m in
            let origin: String
            if p.sameSettings {
                origin = "same for all: DuQuant's"
            } else {
                switch m {
                case .rtn: origin = "plain: no clipping"
                case .smoothquant: origin = "its paper's α, no clipping"
                case .hadamard, .duquant: origin = "the official DuQuant code's"
                case .quarot: origin = "QuaRot's RTN: --a_clip_ratio 1, --w_clip searches each weight row's ratio"
                }
            }
            return (m.title, m.help, "settings \(p.settings(for: m).summary) (\(origin))")
        }
    }

    /// The note under the methods: which rows compare across methods.
    package static let ownSpaceNote =
        "act MSE own and wt MSE own are measured in each method's own transformed space (X̃, W̃): they do not "
        + "compare across methods; out rel err (‖XWᵀ − Q(X̃)Q(W̃)ᵀ‖/‖XWᵀ‖) does, and ★ marks only comparable rows."
}
