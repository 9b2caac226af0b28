import DuQuantCore
import DuQuantIO

extension ReportFormatter {
    /// One file's part of a report: its layers' evaluations under the parameters it ran with.
    struct FileReport {
        /// The dump's path.
        var file: String
        /// The parameters, and which of them its sidecar set.
        var parameters: SidecarParameters
        /// The evaluated layers.
        var layers: [LayerEvaluation]
        /// The layers left out, with why.
        var skipped: [String]
    }

    /// The report of one file as before; of several (a directory of sample files), one table per file, a
    /// JSON array of the per-file objects, or one CSV whose rows end with their file.
    static func render(_ reports: [FileReport], format: ReportFormat) throws(CLIError) -> String {
        func one(_ r: FileReport, _ format: ReportFormat) -> String {
            render(r.layers, file: r.file, params: r.parameters.params, format: format, skipped: r.skipped, sidecar: r.parameters)
        }
        if reports.count == 1 { return one(reports[0], format) }
        switch format {
        case .table:
            return reports.map { one($0, .table) }.joined(separator: "\n")
        case .json:
            return JSONText.array(reports.map { r in
                json(r.layers, file: r.file, params: r.parameters.params, skipped: r.skipped, sidecar: r.parameters.applied)
            }).render(indent: 2) + "\n"
        case .csv:
            // One header (the sidecar column for every file, so that they agree); each row ends with its file.
            var header: Substring?
            var rows: [String] = []
            for r in reports {
                let lines = csv(r.layers, params: r.parameters.params, sidecar: r.parameters.note ?? "").split(separator: "\n")
                guard let first = lines.first, header == nil || header == first else {
                    throw CLIError("\(DisplayText.escaped(r.file)): its CSV columns differ from the other files'; "
                        + "report the files one by one")
                }
                header = first
                rows += lines.dropFirst().map { $0 + "," + csvField(r.file) }
            }
            return ([(header.map(String.init) ?? "") + ",file"] + rows).joined(separator: "\n") + "\n"
        }
    }
}
