import DuQuantCore

extension DumpFile {
    /// Why evaluating layer `name` would not fit the memory budget (one line naming the file, the layer and
    /// its shapes), or nil when it fits or there is no such layer.
    public func evaluationBudgetProblem(layer name: String) -> String? {
        guard let info = layer(named: name) else { return nil }
        let need = MemoryBudget.evaluationBytes(tokens: info.tokens, inFeatures: info.inFeatures, outFeatures: info.outFeatures)
        guard let problem = MemoryBudget.problem(needing: need, for: "layer \(DisplayText.escaped(name)) (\(info.shapeText))")
        else { return nil }
        return "\(DisplayText.escaped(path)): \(problem)"
    }

    /// Why calibrating `method`'s transform of layer `name` (``MemoryBudget/transformBytes(tokens:inFeatures:outFeatures:method:)``:
    /// `export`, the forward pass) would not fit the memory budget, or nil when it fits or there is no such layer.
    public func transformBudgetProblem(layer name: String, method: Method) -> String? {
        guard let info = layer(named: name) else { return nil }
        let need = MemoryBudget.transformBytes(tokens: info.tokens, inFeatures: info.inFeatures, outFeatures: info.outFeatures,
                                               method: method)
        guard let problem = MemoryBudget.problem(needing: need, for: "layer \(DisplayText.escaped(name)) (\(info.shapeText))")
        else { return nil }
        return "\(DisplayText.escaped(path)): \(problem)"
    }
}
