/// The kind of file a dump was read from.
public enum DumpFormat: String, Sendable {
    /// A `.safetensors` file.
    case safetensors
    /// A single `.npy` array.
    case npy
    /// An `.npz` zip of `.npy` members, stored or deflated.
    case npz
    /// A directory of `<tensor name>.npy` files.
    case npyDirectory = "npy directory"
}
