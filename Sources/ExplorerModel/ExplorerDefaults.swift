/// Fixed choices of the explorer that are not parameters of the method.
public enum ExplorerDefaults {
    /// Seeds the `N` key measures DuQuant over (0 ..< this).
    public static let spreadSeeds = 4
}
