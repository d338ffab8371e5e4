#!/usr/bin/env bash
# `make demo`: the main job as it stands. SmolLM2-135M-Instruct (the real Q4_1 GGUF, dequantized to
# float32) answers a few chat prompts, sampled as one batch with a KV cache; each answer is printed with
# its mean log-prob.   usage: scripts/demo.sh PATH/TO/rlhf
set -euo pipefail
rlhf=${1:?usage: demo.sh PATH/TO/rlhf}
model=${RLHF_MODELS:-models}/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
echo "== SmolLM2-135M-Instruct answers (temperature 0.7, top-p 0.9, seed 7)"
"$rlhf" generate --model "$model" --chat --temperature 0.7 --top-p 0.9 --seed 7 --max-new-tokens 80 \
  --prompt "What is the capital of France?" \
  --prompt "Give me three tips for sleeping better." \
  --prompt "Write a haiku about the sea." \
  --prompt "Explain what a reward model is in one sentence."
