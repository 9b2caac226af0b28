/// The built-in themes. Theme files on disk are read by the command line (`ThemeFiles`) and handed in.
package enum ThemeLibrary {
    /// The built-in themes in their fixed order: dark (default), light, viridis, mono.
    package static func builtin() throws(Theme.ParseError) -> [Theme] {
        var out: [Theme] = []
        for (name, text) in Theme.builtinSources { out.append(try Theme.parse(name: name, text: text)) }
        return out
    }
}
