/// Entry point of the command line.
public enum CLI {
    /// Runs the command line with `arguments` (without the program name) and returns the exit code.
    public static func run(_ arguments: [String]) -> Int32 {
        print("duquant-explorer: under construction")
        return 0
    }
}
