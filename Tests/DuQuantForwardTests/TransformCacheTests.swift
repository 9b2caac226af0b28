import DuQuantCore
import DuQuantForward
import Testing

@Suite struct TransformCacheTests {
    static func scales(_ n: Int, _ v: Float) -> DuQuantTransform {
        DuQuantTransform(smoothScales: [Float](repeating: v, count: n), rotations: [], permutations: [])
    }

    @Test func aHitDoesNotCalibrateAgainAndTheLeastRecentlyUsedGoesFirst() {
        // Each transform holds 4·100 bytes; the budget keeps two.
        let cache = TransformCache(budgetBytes: 800)
        var calls = 0
        func get(_ layer: String) -> DuQuantTransform? {
            cache.transform(layer: layer, method: .smoothquant, params: "alpha 0.6") { calls += 1; return Self.scales(100, 2) }
        }
        _ = get("a"); _ = get("b"); _ = get("a")
        #expect(calls == 2)
        _ = get("c")  // evicts b (a was used after it)
        #expect(cache.usage.count == 2 && cache.usage.bytes == 800)
        _ = get("a")
        #expect(calls == 3)
        _ = get("b")
        #expect(calls == 4)
        // Other parameters are another entry.
        _ = cache.transform(layer: "a", method: .smoothquant, params: "alpha 0.5") { calls += 1; return Self.scales(100, 3) }
        #expect(calls == 5)
    }
}

@Suite struct QuantSettingTests {
    @Test func namesParseAndSixteenMeansUnquantized() throws {
        let s = try QuantSetting(parsing: "w4a16-noclip")
        #expect(s.weightBits == 4 && s.activationBits == nil && !s.clip)
        #expect(s.description == "W4A16 no clip")
        var p = QuantParams()
        p.sameSettings = true
        let (w, a) = s.quantizers(p, .duquant)
        #expect(w?.clip == 1 && w?.bits == 4 && a == nil)
        let (w2, a2) = try QuantSetting(parsing: "W8A8").quantizers(p, .rtn)
        #expect(w2?.clip == p.swc && a2?.clip == p.lac)
        #expect(throws: ForwardError.self) { try QuantSetting(parsing: "W1A4") }
        #expect(throws: ForwardError.self) { try QuantSetting(parsing: "A4W4") }
    }
}
