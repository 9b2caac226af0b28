/// How heat values map to intensity.
package enum HeatScale: String, Sendable, CaseIterable {
    case linear
    /// From the 10th percentile of |x| (four decades below the maximum when that is within a decade of it)
    /// to the maximum, so the bulk of the values stays visible next to outliers.
    case log

    package var toggled: HeatScale { self == .linear ? .log : .linear }
}

/// The part of a tokens × channels matrix on screen, and the cursor inside it.
///
/// Zooming halves or doubles the visible spans around the cursor; moving the cursor past an edge pans.
package struct HeatView: Sendable, Hashable {
    package var tokenStart = 0
    package var tokenSpan = 0
    package var channelStart = 0
    package var channelSpan = 0
    package var cursorToken = 0
    package var cursorChannel = 0
    /// Zoom level: 0 shows everything, each step halves both spans.
    package var zoom = 0

    package init() {}

    /// Shows all of a `tokens` × `channels` matrix, cursor at the top-left.
    package init(tokens: Int, channels: Int) {
        tokenSpan = tokens
        channelSpan = channels
    }

    /// Spans at `zoom` for a matrix of this size (never below 1, never above the matrix).
    package mutating func applyZoom(_ level: Int, tokens: Int, channels: Int) {
        zoom = max(0, min(level, 12))
        let f = 1 << zoom
        tokenSpan = max(1, min(tokens, (tokens + f - 1) / f))
        channelSpan = max(1, min(channels, (channels + f - 1) / f))
        if zoom > 0 && tokenSpan < 2 && channelSpan < 2 { zoom -= 1 }
        tokenStart = HeatView.centred(cursorToken, span: tokenSpan, total: tokens)
        channelStart = HeatView.centred(cursorChannel, span: channelSpan, total: channels)
    }

    /// Moves the cursor by whole bins (`tokenStep`, `channelStep` are the bin sizes on screen), panning so
    /// it stays visible.
    package mutating func moveCursor(dTokens: Int, dChannels: Int, tokens: Int, channels: Int) {
        guard tokens > 0, channels > 0 else { return }
        cursorToken = min(tokens - 1, max(0, cursorToken + dTokens))
        cursorChannel = min(channels - 1, max(0, cursorChannel + dChannels))
        if cursorToken < tokenStart { tokenStart = cursorToken }
        if cursorToken >= tokenStart + tokenSpan { tokenStart = cursorToken - tokenSpan + 1 }
        if cursorChannel < channelStart { channelStart = cursorChannel }
        if cursorChannel >= channelStart + channelSpan { channelStart = cursorChannel - channelSpan + 1 }
    }

    /// Clamps everything to a `tokens` × `channels` matrix (after loading another layer).
    package mutating func clamp(tokens: Int, channels: Int) {
        cursorToken = min(max(0, tokens - 1), max(0, cursorToken))
        cursorChannel = min(max(0, channels - 1), max(0, cursorChannel))
        applyZoom(zoom, tokens: tokens, channels: channels)
    }

    static func centred(_ c: Int, span: Int, total: Int) -> Int {
        max(0, min(total - span, c - span / 2))
    }

    /// Bin `i` of `n` over `start ..< start + count`: an even split when there are more items than bins,
    /// repeated items (stretching) when there are fewer.
    package static func bin(_ i: Int, of n: Int, start: Int, count: Int) -> Range<Int> {
        guard n > 0, count > 0 else { return start..<start }
        let lo = i * count / n
        let hi = max((i + 1) * count / n, lo + 1)
        return (start + lo)..<(start + min(hi, count))
    }
}

extension HeatView {
    /// Moves the cursor `by` whole bins along one axis, when `bins` bins show `span` items from `start`:
    /// to the first item of the neighbouring bin, so a bin is never skipped and the cursor always moves
    /// (a fixed step of `span / bins` items did neither when the bins were of unequal sizes). Past the
    /// first or last bin on screen it moves by one bin's width, and the view pans.
    ///
    /// Returns the new cursor position along the axis.
    package static func stepBins(cursor: Int, by: Int, bins: Int, start: Int, span: Int, total: Int) -> Int {
        guard total > 0, by != 0 else { return cursor }
        let n = max(1, min(bins, span))
        var c = cursor
        for _ in 0..<abs(by) {
            let k = (0..<n).first { HeatView.bin($0, of: n, start: start, count: span).contains(c) }
            guard let k else {
                c += by > 0 ? 1 : -1
                continue
            }
            let here = HeatView.bin(k, of: n, start: start, count: span)
            if by > 0 {
                c = k + 1 < n ? HeatView.bin(k + 1, of: n, start: start, count: span).lowerBound : c + here.count
            } else {
                c = k > 0 ? HeatView.bin(k - 1, of: n, start: start, count: span).lowerBound : c - here.count
            }
        }
        return min(total - 1, max(0, c))
    }
}
