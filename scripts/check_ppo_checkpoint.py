#!/usr/bin/env python3
"""Developer check (not part of `make test`): a PPO checkpoint's policy folder loads in transformers.

Runs `rlhf ppo` on the stories260K sentiment config for 4 iterations with save_every 2 (or takes
--checkpoint DIR), then with transformers:
  * AutoModelForCausalLM.from_pretrained(DIR/policy, output_loading_info=True) reports no missing,
    unexpected or mismatched keys; AutoTokenizer.from_pretrained(DIR/policy) loads;
  * the trained weights differ from the starting model's (`rlhf convert` of the original), so the folder
    holds the policy, not a copy of its start;
  * next-token log-probs on IMDb prompts equal `rlhf score --model DIR/policy` within 1e-4, with the ids
    transformers' tokenizer gives equal to the ones `rlhf` encodes;
  * value_head.safetensors holds v_head.summary.weight [1, C] and v_head.summary.bias [1], finite.

Usage: scripts/check_ppo_checkpoint.py [--rlhf PATH] [--checkpoint DIR] [--shared DIR] [--models DIR]
Run it with a Python that has torch, transformers and safetensors (e.g. the peer venv).
"""
import argparse
import json
import os
import sys
import tempfile

import torch
from hf_loading import load_with_warnings, rlhf_binary as find_rlhf, run
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXTS = ["This movie was", "I watched it twice and", "The plot of the film is"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rlhf")
    parser.add_argument("--checkpoint")
    parser.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    parser.add_argument("--models", default=os.path.join(ROOT, "models"))
    args = parser.parse_args()
    rlhf = find_rlhf(args.rlhf, ROOT)
    work = tempfile.mkdtemp(prefix="ppo-checkpoint-")
    os.environ.update(RLHF_SHARED=args.shared, RLHF_MODELS=args.models)
    checkpoint = args.checkpoint
    if checkpoint is None:
        run([rlhf, "ppo", "--config", os.path.join(ROOT, "cluster/configs/sentiment-stories260k.yaml"),
             "--output", os.path.join(work, "run"), "--set", "iterations=4", "--set", "save_every=2"])
        checkpoint = os.path.join(work, "run", "checkpoints", "iteration-000004")
    policy = os.path.join(checkpoint, "policy")
    model, info, warnings = load_with_warnings(AutoModelForCausalLM, policy)
    for key in ("missing_keys", "unexpected_keys", "mismatched_keys"):
        if info[key]:
            sys.exit(f"{key}: {info[key]}")
    tokenizer = AutoTokenizer.from_pretrained(policy)
    print(f"loaded {policy}: {type(model).__name__}, {sum(p.numel() for p in model.parameters())} parameters;"
          f" warnings: {warnings or 'none'}")

    if args.checkpoint is None:
        start = os.path.join(work, "start")
        stories = os.path.join(args.shared, "data", "stories260K")
        run([rlhf, "convert", "--from", os.path.join(stories, "stories260K.bin"),
             "--tokenizer", os.path.join(stories, "tok512.bin"), "--to", start])
        original = load_file(os.path.join(start, "model.safetensors"))
        trained = load_file(os.path.join(policy, "model.safetensors"))
        changed = sum(not torch.equal(original[k], trained[k]) for k in original)
        if changed == 0:
            sys.exit("the checkpoint's policy equals the starting model")
        print(f"{changed} of {len(original)} tensors differ from the starting model")

    worst = 0.0
    for text in TEXTS:
        scored = json.loads(run([rlhf, "score", "--model", policy, "--text", text, "--json"]))
        ids = tokenizer(text, return_tensors="pt").input_ids
        if ids[0].tolist() != scored["ids"]:
            sys.exit(f"{text!r}: transformers encodes {ids[0].tolist()}, rlhf {scored['ids']}")
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0]
        logprobs = torch.log_softmax(logits.double(), -1)[:-1].gather(1, ids[0, 1:, None])[:, 0].tolist()
        worst = max(worst, max(abs(a - b) for a, b in zip(logprobs, scored["logprobs"])))
    if worst > 1e-4:
        sys.exit(f"log-probs differ by {worst:.2e}")
    print(f"log-probs of {len(TEXTS)} texts equal rlhf score's (worst {worst:.2e})")

    head = load_file(os.path.join(checkpoint, "value_head.safetensors"))
    width = model.config.hidden_size
    if head["v_head.summary.weight"].shape != (1, width) or head["v_head.summary.bias"].shape != (1,):
        sys.exit(f"value head shapes {[tuple(t.shape) for t in head.values()]}")
    if not all(torch.isfinite(t).all() for t in head.values()):
        sys.exit("the value head has a non-finite value")
    print(f"value head: v_head.summary.weight [1, {width}], v_head.summary.bias [1], norm {head['v_head.summary.weight'].norm():.4f}")
    print("ok")


if __name__ == "__main__":
    main()
