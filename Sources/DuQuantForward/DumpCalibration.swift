import DuQuantCore
import DuQuantIO

/// A method's transform of one layer of a dump, calibrated on the layer's captured input: the one code
/// path `export` writes its files from and the forward pass quantizes with.
public enum DumpCalibration {
    /// Loads layer `name` of `dump` (non-finite values and denormals replaced, as every command does)
    /// and calibrates `method` on it under `p`; the transform is nil if `cancel` fired.
    public static func calibrate(_ name: String, of dump: DumpFile, method: Method, _ p: QuantParams,
                                 cancel: CancelToken? = nil,
                                 progress: (@Sendable (Double) -> Void)? = nil) throws(DumpError) -> (layer: LayerData, transform: MethodTransform?) {
        let layer = try dump.loadLayer(name)
        return (layer, method.exportableTransform(layer, p, cancel: cancel, progress: progress))
    }
}
