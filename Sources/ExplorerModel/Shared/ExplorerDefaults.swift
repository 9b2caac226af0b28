/// Fixed choices of the explorer that are not parameters of the method.
package enum ExplorerDefaults {
    /// Seeds the `N` key measures DuQuant over (0 ..< this).
    package static let spreadSeeds = 4
    /// Max |x| over median |x| from which the heatmap opens in the log scale: a linear scale would show
    /// one bright cell in black (layer 11 of the sample: 46363; ordinary layers: 100–600).
    package static let autoLogRatio: Float = 1000
}
