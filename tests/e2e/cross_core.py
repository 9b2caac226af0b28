#!/usr/bin/env python3
"""Helpers of tests/e2e/test-cross-core.sh (the same figures under every OpenBLAS core and thread count).

  cross_core.py compare [--rel R] LABEL=REFERENCE.json LABEL=OTHER.json…
      every numeric figure of the `report --format json` documents within R (default 1e-5) relative of
      REFERENCE's, every integer (kept steps, chosen channels, counts) identical, the same structure;
      timings ignored. Prints the differing fields (first 20; configurations with the same differences
      once) and exits 1 when any differ. No numpy.
  cross_core.py table LABEL=FILE.json…
      per layer: DuQuant's output_rel_error and kept_steps, one line per distinct value, naming the
      configurations that gave it.
"""
import json
import math
import re
import sys

# Keys whose values are timings or memory peaks: they differ from run to run by nature.
IGNORED_KEYS = {"seconds", "elapsed", "time", "wall", "wall_seconds", "peak_memory", "peak_bytes",
                "peak_rss", "rss", "memory_peak"}


def ignored(key):
    k = key.lower()
    return k in IGNORED_KEYS or k.endswith("_seconds") or k.endswith("_ms") or k.startswith("peak_")


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def diff(a, b, path, rel, out):
    """Appends (path, a, b, why) for every difference between a (reference) and b."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a.keys() | b.keys():
            if ignored(k):
                continue
            if k not in a or k not in b:
                out.append((f"{path}.{k}", a.get(k, "<absent>"), b.get(k, "<absent>"), "present in one only"))
            else:
                diff(a[k], b[k], f"{path}.{k}", rel, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append((path, f"{len(a)} items", f"{len(b)} items", "length"))
            return
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", rel, out)
    elif is_number(a) and is_number(b):
        if isinstance(a, int) and isinstance(b, int):
            if a != b:
                out.append((path, a, b, "integer differs"))
            return
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            if not (math.isnan(fa) and math.isnan(fb)):
                out.append((path, a, b, "NaN in one only"))
            return
        if fa == fb:
            return
        scale = max(abs(fa), abs(fb))
        r = abs(fa - fb) / scale if scale > 0 else 0.0
        if r > rel:
            out.append((path, a, b, f"rel {r:.3g}"))
    elif a != b:
        out.append((path, a, b, "differs"))


def short(v):
    s = json.dumps(v) if not isinstance(v, str) else v
    return s if len(s) <= 60 else s[:57] + "..."


def natural(path):
    """Sort key: per-token rows after the other figures, indices in numeric order."""
    parts = re.split(r"(\d+)", path)
    return ("per_token" in path, [int(p) if p.isdigit() else p for p in parts])


def kind(path):
    """`.layers[3].held_out.duquant.act_mse` → `held out duquant.act_mse`."""
    names = [n for n in re.sub(r"\[\d+\]", "", path).split(".") if n]
    return ("held out " if "held_out" in names else "") + ".".join(names[-2:])


def layer_names(doc):
    return [l.get("name") for l in doc.get("layers", [])]


def where(doc, path):
    """`.layers[7].methods…` → `model.layers.11.mlp.down_proj: methods…` for readability."""
    m = re.match(r"\.layers\[(\d+)\]", path)
    names = layer_names(doc)
    if m and int(m.group(1)) < len(names):
        return f"{names[int(m.group(1))]}: {path[m.end():].lstrip('.')}"
    return path


def labelled(args):
    out = []
    for a in args:
        label, path = a.split("=", 1)
        with open(path) as f:
            out.append((label, json.load(f)))
    return out


def compare(args):
    rel = 1e-5
    if args and args[0] == "--rel":
        rel = float(args[1])
        args = args[2:]
    runs = labelled(args)
    (ref_label, ref), others = runs[0], runs[1:]
    # Configurations with exactly the same differences are reported once.
    groups = {}
    for label, doc in others:
        found = []
        diff(ref, doc, "", rel, found)
        if found:
            key = json.dumps(sorted(found, key=lambda d: natural(d[0])), default=str)
            groups.setdefault(key, []).append(label)
    for key, labels in groups.items():
        found = json.loads(key)
        kinds = {}
        for p, _, _, _ in found:
            kinds[kind(p)] = kinds.get(kind(p), 0) + 1
        print(f"DIFFER: {', '.join(labels)} vs {ref_label}: {len(found)} fields "
              f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))})")
        for p, a, b, why in found[:20]:
            print(f"  {where(ref, p)}: {short(a)} vs {short(b)} ({why})")
        if len(found) > 20:
            print(f"  ... and {len(found) - 20} more")
    return 1 if groups else 0


def table(args):
    """Per layer, one line per distinct (DuQuant output error, kept steps), naming its configurations."""
    runs = labelled(args)
    for i, name in enumerate(layer_names(runs[0][1])):
        print(f"  {name}")
        rows = {}
        for label, doc in runs:
            try:
                layer = doc["layers"][i]
                dq = layer["methods"]["duquant"]
                held = (layer.get("held_out") or {}).get("duquant") or {}
                text = f"out rel err {dq['output_rel_error']:<12.8g} kept {dq.get('kept_steps')}"
                if "output_rel_error" in held:
                    text += f"  held out {held['output_rel_error']:.8g}"
            except (KeyError, IndexError, TypeError):
                text = "(no DuQuant figures)"
            rows.setdefault(text, []).append(label)
        for text, labels in rows.items():
            print(f"    {text}  {' '.join(labels)}")
    return 0


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "compare":
        return compare(args)
    if cmd == "table":
        return table(args)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
