#if canImport(Glibc)
import Glibc
#endif

#if !_endian(little)
#error("DuQuantIO reads little-endian data in place and assumes a little-endian host")
#endif

/// Converts stored little-endian floating-point data to `[Float]`.
///
/// The loops are written over typed, aligned scratch chunks so that they vectorise: with the
/// target's `-target-cpu haswell` F16→F32 becomes `vcvtph2ps`, BF16→F32 a widening shift and
/// F64→F32 `vcvtpd2ps`. Source bytes may be unaligned (safetensors and zip members make no
/// alignment promise), so each chunk is first copied with `memcpy`, which stays in L1.
enum FloatConversion {
    /// Elements per scratch chunk (8 KiB of f16, 32 KiB of f64).
    static let chunk = 4096

    /// `count` elements of `dtype` from `src` as `Float`; nil for unsupported dtypes or short input.
    static func floats(from src: UnsafeRawBufferPointer, dtype: DType, count: Int) -> [Float]? {
        guard let size = dtype.byteSize, let need = Checked.mul(size, count), src.count >= need else { return nil }
        guard count > 0, let base = src.baseAddress else { return count == 0 ? [] : nil }
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            guard let dst = out.baseAddress else { return }
            switch dtype {
            case .f32: memcpy(dst, base, need)
            case .f16: convertF16(base, dst, count)
            case .bf16: convertBF16(base, dst, count)
            case .f64: convertF64(base, dst, count)
            case .unsupported: break
            }
            initialized = count
        }
    }

    /// Converts `count` elements of `dtype` at `src` (any alignment) into `dst`; false if unsupported.
    static func convert(_ src: UnsafeRawPointer, dtype: DType, into dst: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        switch dtype {
        case .f32: memcpy(dst, src, 4 * count)
        case .f16: convertF16(src, dst, count)
        case .bf16: convertBF16(src, dst, count)
        case .f64: convertF64(src, dst, count)
        case .unsupported: return false
        }
        return true
    }

    static func convertF16(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        convert(src, dst, count, as: UInt16.self) { Float(Float16(bitPattern: $0)) }
    }

    static func convertBF16(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        convert(src, dst, count, as: UInt16.self) { Float(bitPattern: UInt32($0) << 16) }
    }

    static func convertF64(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        convert(src, dst, count, as: Double.self) { Float($0) }
    }

    /// The chunked loop all three share: copy a chunk of `T` into aligned scratch, map each element.
    /// Always inlined, so each caller gets its own specialised, vectorised loop.
    @inline(__always)
    static func convert<T>(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int, as _: T.Type,
                           _ map: (T) -> Float) {
        withUnsafeTemporaryAllocation(of: T.self, capacity: chunk) { tmp in
            guard let t = tmp.baseAddress else { return }
            var i = 0
            while i < count {
                let n = min(chunk, count - i)
                memcpy(t, src + MemoryLayout<T>.stride * i, MemoryLayout<T>.stride * n)
                let d = dst + i
                for j in 0..<n { d[j] = map(t[j]) }
                i += n
            }
        }
    }

    /// `values` encoded little-endian as `dtype` (round to nearest even for F16 and BF16).
    static func bytes(of values: [Float], as dtype: DType) -> [UInt8]? {
        guard let size = dtype.byteSize else { return nil }
        var out = [UInt8](repeating: 0, count: values.count * size)
        out.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() {
                switch dtype {
                case .f32: raw.storeBytes(of: v.bitPattern, toByteOffset: 4 * i, as: UInt32.self)
                case .f64: raw.storeBytes(of: Double(v).bitPattern, toByteOffset: 8 * i, as: UInt64.self)
                case .f16: raw.storeBytes(of: Float16(v).bitPattern, toByteOffset: 2 * i, as: UInt16.self)
                case .bf16: raw.storeBytes(of: bf16Bits(v), toByteOffset: 2 * i, as: UInt16.self)
                case .unsupported: break
                }
            }
        }
        return out
    }

    /// The bfloat16 nearest to `v` (ties to even; NaN stays NaN).
    static func bf16Bits(_ v: Float) -> UInt16 {
        if v.isNaN { return UInt16(truncatingIfNeeded: v.bitPattern >> 16) | 0x40 }
        let b = v.bitPattern
        let rounded = b &+ 0x7FFF &+ ((b >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }
}
