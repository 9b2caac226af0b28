#!/usr/bin/env python3
"""Unit tests of the driver's pure parts (no Ray needed): cost-sized tasks, positions, sizes.

    python3 tools/distributed/test_plan.py
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import duquant_ray as d  # noqa: E402


def layer(position, tokens=256, n_in=576, out=576, present=False):
    return {"position": position, "name": f"l{position}", "tokens": tokens, "in": n_in, "out": out,
            "bytes": 4 * (14 * tokens * n_in + 10 * out * n_in + 3 * tokens * out), "present": present}


class PlanTests(unittest.TestCase):
    def test_every_layer_once_in_about_the_asked_number_of_tasks(self):
        layers = [layer(p, n_in=1536 if p % 7 == 0 else 576) for p in range(1, 29)]
        groups = d.split(layers, 4)
        self.assertEqual(sorted(l["position"] for g in groups for l in g), list(range(1, 29)))
        self.assertTrue(3 <= len(groups) <= 6, len(groups))
        costs = [sum(d.layer_cost(l) for l in g) for g in groups]
        self.assertLess(max(costs), 2.5 * sum(costs) / len(costs))

    def test_a_costly_layer_stands_alone_and_sets_its_tasks_memory(self):
        layers = [layer(1, tokens=8192, n_in=11008, out=4096)] + [layer(p) for p in range(2, 12)]
        groups = d.split(layers, 4)
        big = next(g for g in groups if any(l["position"] == 1 for l in g))
        self.assertEqual([l["position"] for l in big], [1])
        self.assertEqual(d.memory_request(big, 100), layers[0]["bytes"] + 100)
        self.assertTrue(all(d.memory_request(g, 0) < layers[0]["bytes"] for g in groups if g is not big))

    def test_present_layers_cost_little(self):
        self.assertLess(d.layer_cost(layer(1, present=True)) * 10, d.layer_cost(layer(1)))

    def test_positions_collapse_runs(self):
        self.assertEqual(d.positions_text([layer(p) for p in [9, 1, 2, 3, 7, 5, 6]]), "1-3,5-7,9")
        self.assertEqual(d.positions_text([layer(4)]), "4")

    def test_sizes(self):
        self.assertEqual(d.parse_size("256M"), 256 << 20)
        self.assertEqual(d.parse_size("1.5g"), 3 << 29)
        self.assertEqual(d.parse_size("4096"), 4096)
        with self.assertRaises(d.DriverError):
            d.parse_size("lots")

    def test_fewer_layers_than_tasks(self):
        self.assertEqual(len(d.split([layer(1), layer(2)], 10)), 2)
        self.assertEqual(d.split([], 3), [])


if __name__ == "__main__":
    unittest.main()
