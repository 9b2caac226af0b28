#!/usr/bin/env python3
"""Builds every figure in the docs that comes from a run, by running the real release binary.

- docs/TOUR.md is built from docs/tour.template.md: each line `{{render ARGS}}` becomes a fenced block
  holding the output of `duquant-explorer render ARGS --ascii` (plain ASCII, so it reads the same
  everywhere), each `{{report ARGS}}` the output of `duquant-explorer report ARGS`.
- In the template, and in README.md, docs/EXPLORER.md and samples/README.md themselves, a number in the
  prose is written `{{= EXPR}}` (template) or `<!--= EXPR -->VALUE<!--/-->` (the others: the comment
  stays, VALUE is rewritten). EXPR is Python over the helpers below, e.g. `g(R(L11).duquant.output_rel_error)`
  or, for a bundled toy, `g(T("channels").rtn.output_rel_error)`.
- In those three files, a block between `<!-- run: render ARGS -->` (or `report`) and
  `<!-- /run -->` is rewritten with that command's output.

Run from the repository root after `swift build -c release`:

    python3 tools/docs/make-tour.py           # rewrite the files
    python3 tools/docs/make-tour.py --check   # exit 1 with a diff when a committed file differs

The figures do not depend on the BLAS kernels of the CPU (docs/DECISIONS.md, "Screen fast, decide
exactly"): the check is exact, and passes under every OpenBLAS core (OPENBLAS_CORETYPE=Haswell,
SkylakeX, Cooperlake, Zen), which tests/e2e/test-cross-core.sh checks figure by figure.
"""
import difflib
import json
import math
import pathlib
import re
import shlex
import subprocess
import sys
import types

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / ".build" / "release" / "duquant-explorer"
SAMPLE = "samples/smollm2-135m/activations.safetensors"
L11 = "model.layers.11.mlp.down_proj"
L5 = "model.layers.5.mlp.down_proj"
TOY_LAYER = "model.layers.0.mlp.down_proj"


def binary(args):
    out = subprocess.run([str(BIN)] + args, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"make-tour: {' '.join(args)} failed: {out.stderr.strip()}")
    return out.stdout


def run(kind, args):
    cmd = [kind] + shlex.split(args)
    if kind == "render":
        cmd.append("--ascii")
    lines = [line.rstrip() for line in binary(cmd).rstrip("\n").split("\n")]
    if kind == "report":
        lines = without_timings(lines)
    text = "\n".join(lines)
    return f"```text\n$ duquant-explorer {kind} {args}\n{text}\n```"


def without_timings(lines):
    """The report's tables without their `seconds` column: it changes from run to run (and would make
    every regeneration differ); the page says where timings are (docs/PERFORMANCE.md)."""
    out, in_table = [], False
    for line in lines:
        if line.endswith(" seconds") and line.lstrip().startswith("method"):
            in_table = True
            out.append(line[: -len(" seconds")].rstrip())
            continue
        if in_table and line.startswith("  ") and not line.lstrip().startswith(("Hadamard:", "DuQuant:")) and ":" not in line:
            out.append(re.sub(r"\s+\S+$", "", line))
            continue
        in_table = False
        out.append(line)
    return out


def namespace(obj):
    if isinstance(obj, dict):
        return types.SimpleNamespace(**{k: namespace(v) for k, v in obj.items()})
    return obj


_reports = {}


def _layer_report(file, layer, extra):
    """The layer's entry of `report FILE --layer LAYER EXTRA… --format json`, run once per arguments."""
    key = (file, layer) + extra
    if key not in _reports:
        _reports[key] = json.loads(binary(["report", file, "--layer", layer, "--format", "json"] + list(extra)))["layers"][0]
    return _reports[key]


def R(layer, *extra, file=SAMPLE):
    """The methods of `report FILE --layer LAYER EXTRA… --format json`, as attributes."""
    return namespace(_layer_report(file, layer, extra)["methods"])


def T(toy, *extra):
    """The methods of `report samples/toy/TOY.safetensors EXTRA… --format json` (under the toy's sidecar's
    parameters, which EXTRA overrides), as attributes."""
    return R(TOY_LAYER, *extra, file=f"samples/toy/{toy}.safetensors")


def H(layer, *extra, file=SAMPLE):
    """The held-out figures of the same report (with --calib-tokens or --eval-file among EXTRA)."""
    return namespace(_layer_report(file, layer, extra)["held_out"])


_lists = {}


def S(layer, file=SAMPLE):
    """The `list` row of LAYER: max, ratio (max / median), median, channel, token of the maximum."""
    if file not in _lists:
        _lists[file] = binary(["list", file]).split("\n")
    for line in _lists[file]:
        parts = line.split()
        if parts and parts[0] == layer:
            mx, ratio = float(parts[5]), float(parts[6].rstrip("×"))
            return types.SimpleNamespace(max=mx, ratio=ratio, median=mx / ratio, channel=int(parts[7]), token=int(parts[8]))
    sys.exit(f"make-tour: no layer {layer} in list {file}")


def g(x, digits=3):
    """`x` with `digits` significant digits, as a person writes it: 3064, 0.23, 0.0150, 49.5."""
    if x == 0:
        return "0"
    exp = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - exp)
    return f"{round(x, decimals):.{decimals}f}"


def x(a, b):
    """How many times `a` is `b`, to two significant digits: 15, 7.1, 1.1."""
    return g(a / b, 2)


def grouped(n):
    """An integer with thousands separated by commas: 310,620."""
    return f"{int(round(n)):,}"


def evaluate(expr):
    helpers = {"R": R, "H": H, "S": S, "T": T, "g": g, "x": x, "grouped": grouped, "L11": L11, "L5": L5, "SAMPLE": SAMPLE,
               "round": round, "int": int, "abs": abs, "max": max, "min": min}
    return str(eval(expr, {"__builtins__": {}}, helpers))


def build_tour():
    template = (ROOT / "docs" / "tour.template.md").read_text()
    body = re.sub(r"^\{\{(render|report) (.*)\}\}$", lambda m: run(m.group(1), m.group(2)), template, flags=re.M)
    body = re.sub(r"\{\{= (.*?)\}\}", lambda m: evaluate(m.group(1)), body)
    note = "<!-- Generated by tools/docs/make-tour.py from docs/tour.template.md: edit the template. -->\n"
    return note + body


def rewrite_in_place(text):
    text = re.sub(r"(<!-- run: (render|report) (.*?) -->\n).*?(<!-- /run -->)",
                  lambda m: m.group(1) + run(m.group(2), m.group(3)) + "\n" + m.group(4), text, flags=re.S)
    return re.sub(r"(<!--= (.*?) -->).*?(<!--/-->)", lambda m: m.group(1) + evaluate(m.group(2)) + m.group(3), text)


def main():
    check = "--check" in sys.argv[1:]
    if not BIN.exists():
        sys.exit("make-tour: build the release binary first (swift build -c release)")
    outputs = {ROOT / "docs" / "TOUR.md": build_tour()}
    for name in ["README.md", "docs/EXPLORER.md", "samples/README.md"]:
        path = ROOT / name
        outputs[path] = rewrite_in_place(path.read_text())
    stale = []
    for path, text in outputs.items():
        old = path.read_text() if path.exists() else ""
        if old == text:
            continue
        if check:
            stale.append(path)
            rel = str(path.relative_to(ROOT))
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), rel, rel + " (regenerated)"))
        else:
            path.write_text(text)
    if stale:
        sys.exit("make-tour: out of date (regenerate with python3 tools/docs/make-tour.py): "
                 + ", ".join(str(p.relative_to(ROOT)) for p in stale))


if __name__ == "__main__":
    main()
