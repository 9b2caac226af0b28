/// Orders names the way people count: `layers.2` before `layers.10`.
///
/// Names are compared as runs of digits and non-digits; digit runs compare by numeric value (by
/// length after stripping leading zeros, so any length works without overflow), other runs by
/// Unicode scalar value. Names equal under that rule fall back to plain comparison, so the order is
/// total and stable.
///
/// ```swift
/// ["l.10", "l.2"].sorted(by: NaturalOrder.less)  // ["l.2", "l.10"]
/// ```
public enum NaturalOrder {
    /// A name prepared for comparison (its scalars split out once), for sorting many names: a header of
    /// a million tensors used to spend most of a minute re-splitting names inside the sort.
    public struct Key: Sendable {
        let scalars: [Unicode.Scalar]
        let text: String

        /// Splits `text` into scalars once, for many comparisons.
        public init(_ text: String) {
            self.text = text
            scalars = Array(text.unicodeScalars)
        }
    }

    /// Whether `a` sorts before `b`.
    public static func less(_ a: String, _ b: String) -> Bool { less(Key(a), Key(b)) }

    /// `items` sorted by `name` in natural order, each name prepared once; items already in order (as
    /// most writers store them) cost one pass.
    public static func sorted<T>(_ items: [T], by name: (T) -> String) -> [T] {
        let keys = items.map { Key(name($0)) }
        return keys.withUnsafeBufferPointer { k in
            if k.indices.dropFirst().allSatisfy({ !less(k[$0], k[$0 - 1]) }) { return items }
            return items.indices.sorted { less(k[$0], k[$1]) }.map { items[$0] }
        }
    }

    /// Whether `a` sorts before `b`.
    public static func less(_ a: Key, _ b: Key) -> Bool {
        let x = a.scalars, y = b.scalars
        var i = 0, j = 0
        while i < x.count && j < y.count {
            let dx = isDigit(x[i]), dy = isDigit(y[j])
            if dx && dy {
                var ie = i, je = j
                while ie < x.count && isDigit(x[ie]) { ie += 1 }
                while je < y.count && isDigit(y[je]) { je += 1 }
                var ia = i, jb = j
                while ia < ie - 1 && x[ia] == "0" { ia += 1 }
                while jb < je - 1 && y[jb] == "0" { jb += 1 }
                if ie - ia != je - jb { return ie - ia < je - jb }
                for k in 0..<(ie - ia) where x[ia + k] != y[jb + k] { return x[ia + k].value < y[jb + k].value }
                i = ie
                j = je
            } else {
                if x[i] != y[j] { return x[i].value < y[j].value }
                i += 1
                j += 1
            }
        }
        if (x.count - i) != (y.count - j) { return x.count - i < y.count - j }
        return a.text < b.text
    }

    private static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }
}
