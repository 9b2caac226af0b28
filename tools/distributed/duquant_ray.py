#!/usr/bin/env python3
"""Whole-model calibration on a Ray cluster: `duquant-explorer export --all-layers`, shared out.

    python tools/distributed/duquant_ray.py DUMP -o DIR [--method M] [--binary PATH] [--address ADDR]
        [--tasks N] [--cpus-per-task C] [--overhead SIZE] [--max-retries R] [-- EXPORT PARAMETERS…]

Every numeric step stays in the binary; this driver only shares the layers out (docs/DISTRIBUTED.md):

1. checks `BINARY --version` on every node that can run a task, and stops with one line when the binary
   is missing on a node or the builds differ (they would not write the same bytes);
2. asks the binary for the export's plan (`export … --plan`): the generation, each layer's file, shape,
   memory need and whether a file of this set is already there;
3. splits the layers into tasks of about equal cost (not count), layers of similar memory need together,
   each task asking Ray for memory = its largest layer's need + the process overhead;
4. runs each task on a Ray worker as `export DUMP --all-layers -o DIR --shard K/N+1 --positions LIST`
   (the binary writes with the export's commit rule: the set's generation, its part-index last); a task
   whose node dies is retried elsewhere by Ray, and keeps the files its first attempt finished;
5. merges the index last: it commits the empty part N+1 itself, which completes the parts, so the binary
   merges `index.json` (the bytes a single-machine run writes), then removes the part-indexes.

The dump and DIR must be one POSIX path on every node (NFS or similar); the binary one path too. Relative
paths are made absolute (the index records the dump's path: `source`).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

PROG = "duquant-ray"
PART = re.compile(r"index-([1-9][0-9]{0,8})-of-([1-9][0-9]{0,8})\.json")
LOCK = ".duquant-export.lock"


class DriverError(Exception):
    """A one-line reason to stop (printed as `duquant-ray: …`, exit status 2)."""


# ---------------------------------------------------------------------------------------------------
# Plan: cost, memory and tasks (pure functions; tools/distributed/test_plan.py tests them)

def parse_size(text: str) -> int:
    """`512M`, `4G`, `64k` or a byte count, as the binary's --memory-budget reads them."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtT]?)[bB]?\s*", text)
    if not m:
        raise DriverError(f"not a size: {text!r} (say 512M, 8G)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def layer_cost(layer: dict) -> float:
    """A layer's relative calibration cost: input channels × (tokens + outputs + input channels), the
    products and block searches DuQuant's calibration does on X and W (measured on the bundled sample:
    a 256×1536→576 down_proj takes about twice a 256×576→576 q_proj). A file already there costs only
    the check of its input's fingerprint (reading X and W once)."""
    n_in, tokens, out = layer["in"], layer["tokens"], layer["out"] or 0
    read = n_in * (tokens + out)
    return read / 16 if layer.get("present") else n_in * (tokens + out + n_in) + read


def split(layers: list[dict], tasks: int) -> list[list[dict]]:
    """The layers in about `tasks` groups of about equal cost: largest memory need first, consecutive
    layers filling a group up to the mean cost, so that a group's memory request (its largest layer's)
    wastes little and one very costly layer stands alone."""
    if not layers:
        return []
    tasks = max(1, min(tasks, len(layers)))
    order = sorted(layers, key=lambda l: (-(l["bytes"] or 0), -layer_cost(l), l["position"]))
    target = sum(layer_cost(l) for l in order) / tasks
    groups: list[list[dict]] = [[]]
    filled = 0.0
    for l in order:
        if groups[-1] and filled + layer_cost(l) / 2 > target:
            groups.append([])
            filled = 0.0
        groups[-1].append(l)
        filled += layer_cost(l)
    return [sorted(g, key=lambda l: l["position"]) for g in groups]


def positions_text(group: list[dict]) -> str:
    """`1,4,7-9`: the group's positions, runs collapsed (the binary's --positions)."""
    ps = sorted(l["position"] for l in group)
    out, i = [], 0
    while i < len(ps):
        j = i
        while j + 1 < len(ps) and ps[j + 1] == ps[j] + 1:
            j += 1
        out.append(str(ps[i]) if i == j else f"{ps[i]}-{ps[j]}")
        i = j + 1
    return ",".join(out)


def memory_request(group: list[dict], overhead: int) -> int:
    """Bytes a task asks Ray for: its largest layer's need by the binary's budget rule (the process
    included), plus a margin."""
    return max((l["bytes"] or 0) for l in group) + overhead


def layers_text(n: int) -> str:
    return f"{n} layer" + ("" if n == 1 else "s")


def eta_text(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


# ---------------------------------------------------------------------------------------------------
# The binary, locally and on the nodes

def run_binary(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, text=True, env=env)
    except FileNotFoundError:
        raise DriverError(f"{args[0]}: not found on this node (--binary PATH, the same path on every node)")
    except PermissionError:
        raise DriverError(f"{args[0]}: not executable on this node")


def build_line(version_output: str) -> str | None:
    """The `Build: duquant-explorer X (build HEX)` line of `--version`, without its label."""
    for line in version_output.splitlines():
        if line.startswith("Build: "):
            return line[len("Build: "):].strip()
    return None


def die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the Ray worker that started it dies (its raylet killed),
    so no orphaned export keeps a core busy while Ray retries the task elsewhere."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def probe_node(binary: str) -> dict:
    """Runs on one node: what `BINARY --version` says there."""
    import socket
    host = socket.gethostname()
    try:
        r = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        return {"host": host, "error": f"{binary}: not found"}
    except (PermissionError, OSError, subprocess.TimeoutExpired) as e:
        return {"host": host, "error": f"{binary}: {e}"}
    if r.returncode != 0:
        first = (r.stderr.strip().splitlines() or ["no output"])[0]
        return {"host": host, "error": f"{binary} --version: exit {r.returncode}: {first}"}
    build = build_line(r.stdout)
    if build is None:
        return {"host": host, "error": f"{binary} --version names no build (a binary older than the distributed export)"}
    core = next((l for l in r.stdout.splitlines() if l.startswith("BLAS core: ")), "")
    return {"host": host, "build": build, "core": core.split(" (")[0]}


def run_part(binary: str, argv: list[str], threads: int) -> dict:
    """Runs on a worker: one part of the export (the binary writes its files and its part-index)."""
    import socket
    import ray
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    start = time.monotonic()
    r = subprocess.run([binary] + argv, capture_output=True, text=True, env=env, preexec_fn=die_with_parent)
    result = {"node": ray.get_runtime_context().get_node_id(), "host": socket.gethostname(), "rc": r.returncode,
              "seconds": time.monotonic() - start, "stderr": r.stderr, "stdout": r.stdout}
    if r.returncode != 0:
        # The binary's own error is one line: raise it (not retried: the same input fails the same way).
        line = next((l for l in reversed(r.stderr.splitlines()) if l.startswith("duquant-explorer:")),
                    (r.stderr.strip().splitlines() or [f"exit status {r.returncode}"])[-1])
        raise RuntimeError(line)
    return result


# ---------------------------------------------------------------------------------------------------
# The driver

def parse_args(argv: list[str]) -> argparse.Namespace:
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    p = argparse.ArgumentParser(prog=PROG, description="duquant-explorer export --all-layers on a Ray cluster")
    p.add_argument("dump", help="the dump: a path every node reads (shared storage)")
    p.add_argument("-o", "--output", required=True, help="the export directory: a path every node writes")
    p.add_argument("--method", default="duquant")
    p.add_argument("--binary", default=os.environ.get("DUQUANT_BINARY", "duquant-explorer"),
                   help="the binary, the same path on every node (default: duquant-explorer on PATH)")
    p.add_argument("--address", default=os.environ.get("RAY_ADDRESS", "auto"), help="the Ray cluster (default: auto)")
    p.add_argument("--tasks", type=int, default=0, help="how many tasks (default: 2 per worker CPU)")
    p.add_argument("--cpus-per-task", type=float, default=1)
    p.add_argument("--overhead", default="64M", help="memory a task asks for beyond its largest layer's need (which includes the process)")
    p.add_argument("--max-retries", type=int, default=3, help="retries of a task whose node dies")
    p.add_argument("--progress-every", type=float, default=10, help="seconds between progress lines while waiting")
    a = p.parse_args(argv)
    a.params = extra
    # Ray's workers do not run in this directory: every path they get is absolute (the index records the
    # dump's path as given, so the single-machine run to compare with must name it the same way).
    a.dump, a.output = os.path.abspath(a.dump), os.path.abspath(a.output)
    if "/" in a.binary:
        a.binary = os.path.abspath(a.binary)
    return a


def say(text: str) -> None:
    print(f"{PROG}: {text}", file=sys.stderr, flush=True)


def check_nodes(ray, binary: str, local_build: str) -> list[dict]:
    """`--version` on every live node with CPUs; DriverError on a missing binary or differing builds."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
    nodes = [n for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU", 0) > 0]
    if not nodes:
        raise DriverError("the cluster has no node with CPUs to run tasks on")
    probe = ray.remote(num_cpus=0)(probe_node)
    refs = [probe.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False)).remote(binary)
            for n in nodes]
    found, alive = [], []
    for n, ref in zip(nodes, refs):
        try:
            f = ray.get(ref, timeout=300)
        except (ray.exceptions.TaskUnschedulableError, ray.exceptions.NodeDiedError,
                ray.exceptions.WorkerCrashedError, ray.exceptions.GetTimeoutError) as e:
            # A node that died before the cluster marked it dead: not one to run tasks on.
            say(f"note: node {n.get('NodeManagerAddress', '?')} ({n['NodeID'][:12]}) is gone ({type(e).__name__}); not used")
            continue
        f["address"], f["node"] = n.get("NodeManagerAddress", "?"), n["NodeID"]
        if "error" in f:
            raise DriverError(f"node {f['address']} ({f['node'][:12]}): {f['error']}")
        found.append(f)
        alive.append(n)
    if not found:
        raise DriverError("no node of the cluster answered (all gone)")
    for f in found:
        if f["build"] != local_build:
            raise DriverError(f"versions differ: node {f['address']} ({f['node'][:12]}) has {f['build']!r}, "
                              f"this node {local_build!r} (the same build on every node gives the same bytes)")
    cores = sorted({f["core"] for f in found})
    if len(cores) > 1:
        say(f"note: the nodes' BLAS cores differ ({'; '.join(cores)}): files agree to about 1e-5, not byte for byte")
    return alive


def export_args(a: argparse.Namespace) -> list[str]:
    return ["export", a.dump, "--all-layers", "-o", a.output, "--method", a.method]


def remove_parts(directory: str) -> int:
    """Removes the part-indexes that index.json contains (each layer to the same file), holding the
    export's lock exclusively; none when another run holds it. Returns how many."""
    fd = os.open(os.path.join(directory, LOCK), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return 0
        with open(os.path.join(directory, "index.json"), encoding="utf-8") as f:
            whole = json.load(f)["layers"]
        removed = 0
        for name in sorted(os.listdir(directory)):
            if not PART.fullmatch(name):
                continue
            path = os.path.join(directory, name)
            try:
                with open(path, encoding="utf-8") as f:
                    part = json.load(f)["layers"]
            except (OSError, ValueError, KeyError):
                continue
            if all(whole.get(k) == v for k, v in part.items()):
                os.unlink(path)
                removed += 1
        return removed
    finally:
        os.close(fd)


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    start = time.monotonic()
    version = run_binary([a.binary, "--version"])
    local_build = build_line(version.stdout) if version.returncode == 0 else None
    if local_build is None:
        raise DriverError(f"{a.binary} --version names no build on this node (exit {version.returncode})")

    planned = run_binary([a.binary] + export_args(a) + ["--plan"] + a.params)
    if planned.returncode != 0:
        raise DriverError((planned.stderr.strip().splitlines() or ["the plan failed"])[-1])
    plan = json.loads(planned.stdout)
    layers = plan["layers"]

    import ray
    ray.init(address=a.address, logging_level="ERROR", log_to_driver=False)
    try:
        nodes = check_nodes(ray, a.binary, local_build)
        say(f"{len(nodes)} nodes run {local_build}; {len(layers)} layers of {a.dump}, "
            f"{sum(1 for l in layers if l['present'])} already exported ({plan['generation']}/)")
        overhead = parse_size(a.overhead)
        cpus = sum(n["Resources"].get("CPU", 0) for n in nodes)
        groups = split(layers, a.tasks or max(1, int(2 * cpus / a.cpus_per_task)))
        largest = max((n["Resources"].get("memory", 0) for n in nodes), default=0)
        for g in groups:
            if memory_request(g, overhead) > largest:
                big = max(g, key=lambda l: l["bytes"] or 0)
                raise DriverError(f"layer {big['name']} ({big['tokens']}×{big['in']}) needs {memory_request(g, overhead) >> 20} MiB, "
                                  f"more than any node's memory ({largest >> 20} MiB)")
        n = len(groups) + 1   # part n, empty, is the driver's: it completes the set last
        clear_parts(a.output, n)
        part = ray.remote(run_part)
        refs = {}
        for k, g in enumerate(groups, start=1):
            request = memory_request(g, overhead)
            argv_k = export_args(a) + ["--shard", f"{k}/{n}", "--positions", positions_text(g),
                                       "--memory-budget", str(request)] + a.params
            ref = part.options(num_cpus=a.cpus_per_task, memory=request, max_retries=a.max_retries,
                               retry_exceptions=False, name=f"duquant-part-{k}-of-{n}").remote(
                a.binary, argv_k, max(1, int(a.cpus_per_task)))
            refs[ref] = (k, g)
        say(f"{len(groups)} tasks: " + "; ".join(
            f"{k}: {layers_text(len(g))}, {memory_request(g, overhead) >> 20} MiB" for k, (g) in
            enumerate(groups, start=1)))
        # Done: the layers of finished tasks, and those whose file has appeared in the generation (each
        # is written atomically, so a file there is complete): progress within a task, per layer.
        done: set[int] = {l["position"] for l in layers if l["present"]}
        before = set(done)
        submitted = last = time.monotonic()
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1, timeout=a.progress_every)
            for ref in ready:
                k, g = refs[ref]
                try:
                    r = ray.get(ref)
                except ray.exceptions.RayTaskError as e:
                    cause = str(e.cause) if getattr(e, "cause", None) else str(e).strip().splitlines()[-1]
                    raise DriverError(f"part {k}/{n} ({layers_text(len(g))}): {cause} (run the driver again to finish the rest)")
                except ray.exceptions.RayError as e:
                    raise DriverError(f"part {k}/{n} ({layers_text(len(g))}) failed {a.max_retries + 1} times: "
                                      f"{type(e).__name__} (run the driver again: finished layers are kept)")
                done |= {l["position"] for l in g}
                kept = r["stderr"].count(" kept (")
                say(f"part {k}/{n} done on {r['node'][:12]} in {r['seconds']:.1f} s: {layers_text(len(g))}"
                    + (f" ({kept} kept)" if kept else ""))
            elapsed = time.monotonic() - start
            if ready or time.monotonic() - last >= a.progress_every:
                done |= {l["position"] for l in layers if os.path.exists(os.path.join(a.output, l["file"]))}
                done_cost = sum(layer_cost(l) for l in layers if l["position"] in done and l["position"] not in before)
                left = sum(layer_cost(l) for l in layers if l["position"] not in done)
                eta = (time.monotonic() - submitted) * left / done_cost if done_cost else None
                say(f"{len(done)}/{len(layers)} layers, {elapsed:.0f} s" + (f", ETA {eta_text(eta)}" if eta is not None else ""))
                last = time.monotonic()
    finally:
        ray.shutdown()

    # The index last: the empty part n completes the parts; the binary merges index.json.
    merged = run_binary([a.binary] + export_args(a) + ["--shard", f"{n}/{n}", "--positions", ""] + a.params)
    if merged.returncode != 0 or "merged from" not in merged.stdout:
        raise DriverError("merging the index: " + ((merged.stderr.strip() or merged.stdout.strip()).splitlines() or ["?"])[-1])
    removed = remove_parts(a.output)
    say(f"wrote {a.output}: {len(layers)} layers in {plan['generation']}/ and index.json "
        f"(merged from {n} parts, {removed} part-indexes removed) in {time.monotonic() - start:.1f} s")
    return 0


def clear_parts(directory: str, n: int) -> None:
    """Removes part-indexes of `n` parts a driver left (killed before it removed them), so that this
    run's parts cannot be merged with them; DriverError when another export runs in the directory."""
    if not os.path.isdir(directory):
        return
    fd = os.open(os.path.join(directory, LOCK), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise DriverError(f"{directory}: another export is running there (it holds {LOCK})")
        for name in os.listdir(directory):
            m = PART.fullmatch(name)
            if m and int(m.group(2)) == n:
                os.unlink(os.path.join(directory, name))
    finally:
        os.close(fd)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except DriverError as e:
        say(str(e))
        sys.exit(2)
    except KeyboardInterrupt:
        say("interrupted (run again: finished layers are kept)")
        sys.exit(130)
