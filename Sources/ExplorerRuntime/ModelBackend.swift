import DuQuantCore
import ExplorerModel

/// The model-level loop behind the explorer's Model panel: the perplexity of the model with some of its
/// linear layers quantized, computed on the caller's thread (the executor's queue), cancellable.
///
/// The command line implements it with `DuQuantForward`'s `LiveModel` (the runtime does not depend on
/// the forward module); tests can answer with fixed figures.
package protocol ModelBackend: Sendable {
    /// The full-precision perplexity; nil if cancelled.
    func fullPrecision(cancel: CancelToken, progress: @escaping @Sendable (Double) -> Void) throws -> Double?
    /// The perplexity of `request`; nil if cancelled.
    func perplexity(_ request: ModelRequest, cancel: CancelToken, progress: @escaping @Sendable (Double) -> Void) throws -> Double?
    /// Each layer's perplexity alone quantized (the others full precision), passed to `partial` as it is
    /// measured; false if cancelled.
    func sensitivity(method: Method, params: QuantParams, cancel: CancelToken, progress: @escaping @Sendable (Double) -> Void,
                     partial: @escaping (String, Double, Bool) -> Void) throws -> Bool
}
