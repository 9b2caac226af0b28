#if canImport(Glibc)
import Glibc
#endif
import DuQuantCore
import Foundation

/// The transforms an `export --all-layers -o DIR` directory holds, read back into the core's type.
///
/// Only `DIR/index.json` (the commit point, see docs/EXPORT.md) is followed; each file it names (a path
/// inside DIR) is read as the export wrote it: `smooth_scales`, `rotation.{i}` [K, n, n],
/// `rotation.{i}.tail` [r, r] and `permutation.{i}`. Every value is the float32 the export computed, so
/// `transforms[layer].apply(toInput:)` is the very transform the export calibrated.
///
/// ```swift
/// let set = try ExportedTransforms.read(directory: "out/eval/transforms/duquant-seed0")
/// let xt = set.transforms["model.layers.0.mlp.down_proj"]!.apply(toInput: x)
/// ```
public struct ExportedTransforms: Sendable {
    /// The method's key (`rtn`, `duquant`, …) as the index names it.
    public var method: String
    /// The seed the export ran with.
    public var seed: String
    /// The export's parameter summary.
    public var params: String
    /// Every layer's transform by layer name.
    public var transforms: [String: DuQuantTransform]

    /// Reads `directory`'s `index.json` and every transform file it names.
    public static func read(directory: String) throws(DumpError) -> ExportedTransforms {
        let indexPath = directory + "/" + ExportNames.index
        guard let bytes = FileManager.default.contents(atPath: indexPath) else {
            throw DumpError(file: indexPath, message: "cannot read the export's index (run export --all-layers -o \(directory))")
        }
        guard let index = ExportIndex.parse(Array(bytes)) else { throw DumpError(file: indexPath, message: "not an export's index") }
        var out: [String: DuQuantTransform] = [:]
        for layer in index.layers {
            guard !layer.file.hasPrefix("/"), !layer.file.split(separator: "/").contains("..") else {
                throw DumpError(file: indexPath, message: "names a file outside the directory: \(layer.file)")
            }
            out[layer.name] = try transform(file: directory + "/" + layer.file)
        }
        return ExportedTransforms(method: index.method, seed: index.seed, params: index.params, transforms: out)
    }

    /// One transform file of an export (docs/EXPORT.md).
    public static func transform(file: String) throws(DumpError) -> DuQuantTransform {
        let dump = try DumpFile.open(file)
        func has(_ name: String) -> Bool { dump.tensor(named: name) != nil }
        let scales = has("smooth_scales") ? try dump.loadTensor("smooth_scales").storage : nil
        var rotations: [BlockRotation] = [], permutations: [[Int]] = []
        var i = 0
        while has("rotation.\(i)") || has("rotation.\(i).tail") {
            var blocks: [Matrix] = []
            if let info = dump.tensor(named: "rotation.\(i)") {
                guard info.shape.count == 3, info.shape[1] == info.shape[2] else {
                    throw DumpError(file: file, message: "rotation.\(i) has shape \(info.shape), expected [K, n, n]")
                }
                let all = try dump.loadTensor("rotation.\(i)").storage, n = info.shape[1]
                for k in 0..<info.shape[0] { blocks.append(Matrix(rows: n, cols: n, storage: Array(all[(k * n * n)..<((k + 1) * n * n)]))) }
            }
            if has("rotation.\(i).tail") {
                let tail = try dump.loadTensor("rotation.\(i).tail")
                guard tail.rows == tail.cols else { throw DumpError(file: file, message: "rotation.\(i).tail is not square") }
                blocks.append(tail)
            }
            rotations.append(BlockRotation(blockSizes: blocks.map(\.rows), blocks: blocks))
            if has("permutation.\(i)") {
                let perm = try dump.loadTensor("permutation.\(i)").storage.map { Int($0) }
                guard Set(perm) == Set(0..<perm.count) else { throw DumpError(file: file, message: "permutation.\(i) is not a permutation") }
                permutations.append(perm)
            }
            i += 1
        }
        let width = rotations.first?.channels ?? scales?.count
        if let width, rotations.contains(where: { $0.channels != width }) || (scales.map { $0.count != width } ?? false)
            || permutations.contains(where: { $0.count != width }) {
            throw DumpError(file: file, message: "the transform's stages cover different numbers of channels")
        }
        return DuQuantTransform(smoothScales: scales, rotations: rotations, permutations: permutations)
    }
}
