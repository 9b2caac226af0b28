/// The `duquant.shared_inputs` mapping: layer prefix → prefix whose `.input` it uses.
///
/// Capture tools save one input for layers that read the same activations (q/k/v read q_proj's
/// input; up reads gate's) and name the sharing here.
enum SharedInputs {
    /// The safetensors `__metadata__` key holding the mapping as a JSON object string.
    static let metadataKey = "duquant.shared_inputs"

    /// The mapping in `value`, or nil unless it is an object whose values are all strings.
    static func parse(_ value: JSONValue) -> [String: String]? {
        guard let members = value.object else { return nil }
        var map: [String: String] = [:]
        for (k, v) in members {
            guard let s = v.string else { return nil }
            map[k] = s
        }
        return map
    }

    /// The mapping in a metadata string, or a message saying why it is malformed.
    static func parse(metadataValue text: String) -> Result<[String: String], FormatError> {
        let bytes = Array(text.utf8)
        do throws(FormatError) {
            guard let map = parse(try JSONParser.parse(bytes)) else {
                return .failure(FormatError("metadata \(metadataKey) is not a JSON object of strings"))
            }
            return .success(map)
        } catch {
            return .failure(FormatError("metadata \(metadataKey): \(error.message)"))
        }
    }
}
