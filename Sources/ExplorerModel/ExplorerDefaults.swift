/// Fixed choices of the explorer that are not parameters of the method.
public enum ExplorerDefaults {
    /// Seeds the `N` key measures DuQuant over (0 ..< this).
    public static let spreadSeeds = 4
    /// Max |x| over median |x| from which the heatmap opens in the log scale: a linear scale would show
    /// one bright cell in black (layer 11 of the sample: 46363; ordinary layers: 100–600).
    public static let autoLogRatio: Float = 1000
}
