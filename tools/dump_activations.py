#!/usr/bin/env python3
"""Dump the inputs and weights of chosen linear layers of a Hugging Face causal LM for DuQuant Explorer.

    python3 tools/dump_activations.py MODEL --text FILE [FILE ...] --modules down_proj,q_proj \\
        -o OUT.safetensors [--max-tokens 256] [--dtype f16|f32]

MODEL is anything `AutoModelForCausalLM.from_pretrained` accepts (a local directory, or a hub id when
the hub is reachable). The text files are joined with blank lines, tokenized with the model's tokenizer
(BOS first when the tokenizer has one) and cut to --max-tokens. One forward pass runs with forward
hooks on every nn.Linear (or transformers Conv1D) whose module path ends with one of the --modules
suffixes. Written tensors:

    <module path>.input    tokens x in_features   (what the layer multiplied)
    <module path>.weight   out_features x in_features (nn.Linear orientation)

so that input @ weight.T is the layer's output without bias. When several hooked modules receive the
very same input tensor (q/k/v, gate/up in Llama), the input is stored once, under the first module in
model order, and the safetensors `__metadata__` key "duquant.shared_inputs" holds a JSON object
mapping each other module's path to the path whose `.input` it shares. A sidecar JSON (same path,
extension .json) records the model, text source, token ids and token strings.

Needs: torch, transformers, safetensors (pip install torch transformers); with --gguf-file also gguf and
accelerate. Missing packages are named in one line before anything is loaded.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="model directory or hub id")
    ap.add_argument("--text", nargs="+", required=True, metavar="FILE", help="text file(s) to run")
    ap.add_argument("--modules", default="down_proj",
                    help="comma-separated module-name suffixes, e.g. q_proj,k_proj,v_proj,o_proj,"
                         "gate_proj,up_proj,down_proj (default: down_proj)")
    ap.add_argument("-o", "--output", required=True, help="output .safetensors path")
    ap.add_argument("--max-tokens", type=int, default=256, help="tokens kept, BOS included (default 256)")
    ap.add_argument("--dtype", choices=["f16", "f32"], default="f16", help="stored dtype (default f16)")
    ap.add_argument("--no-bos", action="store_true", help="do not put the BOS token first")
    ap.add_argument("--gguf-file", metavar="NAME",
                    help="load a GGUF file inside the MODEL directory (transformers dequantizes it; "
                         "needs the gguf package)")
    ap.add_argument("--trust-remote-code", action="store_true")
    return ap.parse_args(argv)


# The packages each use needs, as (import name, pip name, what for); tools/README.md lists them.
NEEDED = [("torch", "torch", None), ("transformers", "transformers", None), ("safetensors", "safetensors", None)]
NEEDED_FOR_GGUF = [("gguf", "gguf", "--gguf-file"), ("accelerate", "accelerate", "--gguf-file")]


def missing_packages(args) -> str | None:
    """One line naming the packages this run needs and cannot import, and how to install them; None when
    all are there. Checked before anything heavy is imported: without it, a missing `accelerate` only
    surfaced as a long traceback from inside transformers' GGUF loading."""
    needed = NEEDED + (NEEDED_FOR_GGUF if args.gguf_file else [])
    missing = []
    for module, package, why in needed:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append((package, why))
    if not missing:
        return None
    names = ", ".join(p + (f" (for {why})" if why else "") for p, why in missing)
    return (f"error: missing Python packages: {names}; install them with: "
            f"pip install {' '.join(p for p, _ in missing)} (tools/README.md lists what each option needs)")


def suffix_matches(name: str, suffixes: list[str]) -> bool:
    return any(name == s or name.endswith("." + s) for s in suffixes)


def float32_kwarg() -> dict:
    """`dtype=` since transformers 4.56 (`torch_dtype=` is deprecated there), `torch_dtype=` before."""
    import torch
    import transformers
    major, minor = (int(p) for p in transformers.__version__.split(".")[:2])
    return {"dtype" if (major, minor) >= (4, 56) else "torch_dtype": torch.float32}


def main(argv=None) -> int:
    args = parse_args(argv)
    problem = missing_packages(args)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        import torch
        from safetensors.torch import save_file
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as e:
        print(f"error: {e}. This tool needs torch, transformers and safetensors "
              f"(pip install torch transformers).", file=sys.stderr)
        return 2

    suffixes = [s.strip() for s in args.modules.split(",") if s.strip()]
    if not suffixes:
        print("error: --modules is empty", file=sys.stderr)
        return 2
    out_dtype = torch.float16 if args.dtype == "f16" else torch.float32

    texts = []
    for path in args.text:
        with open(path, encoding="utf-8") as f:
            texts.append(f.read().strip())
    text = "\n\n".join(texts)

    extra = {"gguf_file": args.gguf_file} if args.gguf_file else {}
    tokenizer = AutoTokenizer.from_pretrained(args.model, trust_remote_code=args.trust_remote_code, **extra)
    model = AutoModelForCausalLM.from_pretrained(args.model, trust_remote_code=args.trust_remote_code,
                                                 **float32_kwarg(), **extra)
    model.eval()

    ids = tokenizer(text, add_special_tokens=True)["input_ids"]
    bos = tokenizer.bos_token_id
    if args.no_bos:
        if bos is not None and ids and ids[0] == bos:
            ids = ids[1:]
    elif bos is not None and (not ids or ids[0] != bos):
        ids = [bos] + ids
    ids = ids[:args.max_tokens]
    if not ids:
        print("error: no tokens", file=sys.stderr)
        return 2

    # Find the modules to hook.
    targets = []
    for name, module in model.named_modules():
        if not suffix_matches(name, suffixes):
            continue
        if isinstance(module, torch.nn.Linear) or type(module).__name__ == "Conv1D":
            targets.append((name, module))
    if not targets:
        print(f"error: no linear module path ends with any of {suffixes}", file=sys.stderr)
        return 2

    captured: dict[str, torch.Tensor] = {}
    handles = []

    def make_hook(name):
        def hook(module, inputs, output):
            if name in captured:
                raise RuntimeError(f"{name} was called more than once in one forward pass; "
                                   f"this tool captures a single call per module")
            captured[name] = inputs[0]
        return hook

    for name, module in targets:
        handles.append(module.register_forward_hook(make_hook(name)))
    with torch.no_grad():
        model(torch.tensor([ids], dtype=torch.long))
    for h in handles:
        h.remove()

    missing = [n for n, _ in targets if n not in captured]
    if missing:
        print(f"warning: never called in the forward pass, skipped: {missing}", file=sys.stderr)

    tensors: dict[str, torch.Tensor] = {}
    shared: dict[str, str] = {}
    owners: list[tuple[str, torch.Tensor]] = []   # (module path, raw captured tensor) of stored inputs
    layout = []
    for name, module in targets:
        if name not in captured:
            continue
        x = captured[name]
        weight = module.weight.detach()
        if type(module).__name__ == "Conv1D":          # GPT-2 style: weight is in x out
            weight = weight.t()
        in_features = weight.shape[1]
        owner = None
        for other, ox in owners:
            if (ox is x or (ox.data_ptr() == x.data_ptr() and ox.shape == x.shape
                            and ox.stride() == x.stride() and ox.dtype == x.dtype)):
                owner = other
                break
        if owner is None:
            flat = x.detach().reshape(-1, in_features).to(torch.float32)
            if out_dtype == torch.float16 and flat.abs().max().item() > 65504:
                print(f"warning: {name}.input exceeds the float16 range; use --dtype f32", file=sys.stderr)
            tensors[name + ".input"] = flat.to(out_dtype).contiguous()
            owners.append((name, x))
        else:
            shared[name] = owner
        tensors[name + ".weight"] = weight.to(torch.float32).to(out_dtype).contiguous()
        layout.append({"module": name, "in_features": int(in_features), "out_features": int(weight.shape[0]),
                       "input_from": owner or name})

    metadata = {"duquant.shared_inputs": json.dumps(shared, separators=(",", ":")),
                "model": str(args.model),
                "sidecar": os.path.splitext(os.path.basename(args.output))[0] + ".json"}
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    save_file(tensors, args.output, metadata=metadata)

    model_name = getattr(model.config, "_name_or_path", None) or str(args.model)
    sidecar = {
        "model": os.path.basename(os.path.normpath(model_name)) if os.path.isdir(model_name) else model_name,
        "model_type": getattr(model.config, "model_type", None),
        "source": "tools/dump_activations.py (transformers forward hooks)",
        "text_source": [os.path.basename(p) for p in args.text],
        "token_ids": [int(i) for i in ids],
        "tokens": [tokenizer.decode([i]) for i in ids],
        "dtype": args.dtype,
        "modules": layout,
        "shared_inputs": shared,
        "weights_layout": "out_features x in_features; input @ weight.T is the module output without bias",
    }
    sidecar_path = os.path.splitext(args.output)[0] + ".json"
    with open(sidecar_path, "w", encoding="utf-8") as f:
        json.dump(sidecar, f, ensure_ascii=False, indent=1)
        f.write("\n")
    n_inputs = sum(1 for k in tensors if k.endswith(".input"))
    print(f"wrote {args.output}: {len(layout)} modules, {n_inputs} inputs ({len(shared)} shared), "
          f"{len(ids)} tokens, {args.dtype}; sidecar {sidecar_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
