import DuQuantCompute

/// The seeded generator every random draw of the core goes through (defined beside the BLAS self-check,
/// which draws its inputs from it too, one target below).
public typealias SeededGenerator = DuQuantCompute.SeededGenerator
