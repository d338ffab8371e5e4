#!/usr/bin/env python3
"""Developer check (not part of `make test`): LoRA adapters cross between rlhf and PEFT both ways.

  * PEFT -> rlhf: on the llama-tiny and gpt2-tiny fixtures, PEFT builds a LoRA adapter with random A and B
    (init_lora_weights=False; every projection the architecture has, GPT-2's c_proj in attn and mlp) and
    saves it; `rlhf score --adapter` gives PEFT's next-token log-probs, and the folder `rlhf lora merge`
    writes loads in transformers with no missing/unexpected keys and gives PEFT's merge_and_unload logits.
  * rlhf -> PEFT: `rlhf sft --lora-rank 4` trains an adapter on stories260K (the llama2.c checkpoint;
    PEFT loads it onto its `rlhf convert` folder) and on gpt2-tiny (a copy cut to tok512's 512 tokens,
    with its BOS/EOS, to train with tok512.bin); `peft.PeftModel.from_pretrained` loads it onto the
    transformers model with all its LoRA tensors and gives `rlhf score --adapter`'s log-probs.

Usage: scripts/check_lora_peft.py [--rlhf PATH] [--shared DIR] [--keep DIR]
Run it with a Python that has torch, transformers and peft (e.g. the peer venv).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import torch
from hf_loading import rlhf_binary as find_rlhf, run
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {"llama": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
           "gpt2": ["c_attn", "c_proj", "c_fc"]}
TOLERANCE = 1e-4


def logprobs(model, ids):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    lp = torch.log_softmax(logits, dim=-1)
    return [lp[i, ids[i + 1]].item() for i in range(len(ids) - 1)]


def rlhf_logprobs(rlhf, model, ids, adapter=None, extra=()):
    command = [rlhf, "score", "--model", model, "--ids", ",".join(map(str, ids)), "--json", *extra]
    if adapter:
        command += ["--adapter", adapter]
    return json.loads(run(command))["logprobs"]


def worst(a, b):
    return max(abs(x - y) for x, y in zip(a, b))


def peft_to_rlhf(rlhf, fixture, work):
    problems = []
    base = AutoModelForCausalLM.from_pretrained(fixture).eval()
    kind = base.config.model_type
    torch.manual_seed(0)
    config = LoraConfig(r=4, lora_alpha=12, target_modules=TARGETS[kind], lora_dropout=0.0, init_lora_weights=False,
                        task_type="CAUSAL_LM")
    peft_model = get_peft_model(base, config).eval()
    adapter = os.path.join(work, f"peft-{kind}")
    peft_model.save_pretrained(adapter)
    ids = [1, 17, 42, 5, 99, 3, 250, 7, 64, 12]
    theirs = logprobs(peft_model, ids)
    ours = rlhf_logprobs(rlhf, fixture, ids, adapter)
    plain = rlhf_logprobs(rlhf, fixture, ids)
    d, moved = worst(theirs, ours), worst(theirs, plain)
    if d > TOLERANCE:
        problems.append(f"{kind}: rlhf score --adapter differs from PEFT by {d}")
    if moved < 1e-2:
        problems.append(f"{kind}: the PEFT adapter barely changes the log-probs ({moved}); the check proves nothing")
    merged_folder = os.path.join(work, f"merged-{kind}")
    run([rlhf, "lora", "merge", "--model", fixture, "--adapter", adapter, "--output", merged_folder])
    merged, info = AutoModelForCausalLM.from_pretrained(merged_folder, output_loading_info=True)
    for key in ("missing_keys", "unexpected_keys", "mismatched_keys"):
        if info.get(key):
            problems.append(f"{kind}: merged folder {key}: {info[key]}")
    with torch.no_grad():
        reference = peft_model.merge_and_unload()(torch.tensor([ids])).logits
        mine = merged.eval()(torch.tensor([ids])).logits
    m = (reference - mine).abs().max().item()
    if m > TOLERANCE:
        problems.append(f"{kind}: rlhf lora merge logits differ from PEFT's merge_and_unload by {m}")
    print(f"  PEFT -> rlhf  {kind:5} max|logp rlhf - PEFT| = {d:.3g} (adapter moves logp by {moved:.3g}); "
          f"merged folder max|logits - merge_and_unload| = {m:.3g}")
    return problems


def rlhf_to_peft(rlhf, train_model, tokenizer, base_folder, kind, work, data):
    """Trains an adapter with `rlhf sft` on `train_model` (+ `tokenizer`), loads it with PEFT on `base_folder`."""
    problems = []
    adapter = os.path.join(work, f"rlhf-{kind}")
    command = [rlhf, "sft", "--model", train_model, "--data", data, "--lora-rank", "4", "--lora-alpha", "16",
               "--lora-targets", ",".join(TARGETS[kind]), "--lr", "1e-2", "--epochs", "2", "--batch", "4",
               "--max-len", "48", "--eval-fraction", "0", "--output", adapter, "--threads", "2"]
    if tokenizer:
        command += ["--tokenizer", tokenizer]
    run(command)
    base, _ = AutoModelForCausalLM.from_pretrained(base_folder, output_loading_info=True)
    model = PeftModel.from_pretrained(base.eval(), adapter).eval()
    state = model.state_dict()
    lora_keys = [k for k in state if "lora_" in k]
    expected = 2 * model.base_model.model.config.num_hidden_layers * (len(TARGETS[kind]) + (1 if kind == "gpt2" else 0))
    if len(lora_keys) != expected:
        problems.append(f"{kind}: PEFT holds {len(lora_keys)} LoRA tensors, expected {expected}")
    b_norm = max(state[k].abs().max().item() for k in lora_keys if "lora_B" in k)
    if b_norm == 0:
        problems.append(f"{kind}: every lora_B is zero after training")
    ids = [1, 17, 42, 5, 99, 3, 250, 7, 64, 12]
    theirs = logprobs(model, ids)
    ours = rlhf_logprobs(rlhf, base_folder, ids, adapter)
    d = worst(theirs, ours)
    if d > TOLERANCE:
        problems.append(f"{kind}: PEFT on rlhf's adapter differs from rlhf score --adapter by {d}")
    print(f"  rlhf -> PEFT  {kind:5} {len(lora_keys)} LoRA tensors, max|B| = {b_norm:.3g}, max|logp PEFT - rlhf| = {d:.3g}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rlhf", help="the rlhf binary (default: $(swift build -c release --show-bin-path)/rlhf)")
    parser.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    parser.add_argument("--keep", help="work in this folder (kept) instead of a temporary one")
    args = parser.parse_args()
    rlhf = find_rlhf(args.rlhf, ROOT)
    fixtures = os.path.join(args.shared, "fixtures")
    stories = os.path.join(args.shared, "data", "stories260K")
    work = args.keep or tempfile.mkdtemp(prefix="lora-peft-")
    os.makedirs(work, exist_ok=True)
    problems = []
    try:
        for name in ("llama-tiny", "gpt2-tiny"):
            problems += peft_to_rlhf(rlhf, os.path.join(fixtures, name), work)
        data = os.path.join(work, "stories.jsonl")
        with open(data, "w") as f:
            for i, name in enumerate(["Tom", "Lily", "Ben", "Sue", "Max", "Mia", "Sam", "Amy"] * 2):
                f.write(json.dumps({"prompt": f"Once upon a time, {name} had a ball.",
                                    "response": f" {name} loved the ball very much."}) + "\n")
        converted = os.path.join(work, "stories260K")
        run([rlhf, "convert", "--from", os.path.join(stories, "stories260K.bin"), "--tokenizer",
             os.path.join(stories, "tok512.bin"), "--to", converted])
        # trained on the llama2.c checkpoint (a folder's SentencePiece tokenizer.json is not rewritten), loaded on its conversion
        problems += rlhf_to_peft(rlhf, os.path.join(stories, "stories260K.bin"), os.path.join(stories, "tok512.bin"), converted,
                                 "llama", work, data)
        # gpt2-tiny cut to tok512's 512 tokens (and its BOS/EOS), so it trains on tok512.bin
        gpt2 = os.path.join(work, "gpt2-tiny-tok512")
        small = AutoModelForCausalLM.from_pretrained(os.path.join(fixtures, "gpt2-tiny"))
        small.resize_token_embeddings(512)
        small.config.bos_token_id, small.config.eos_token_id = 1, 2
        small.save_pretrained(gpt2)
        problems += rlhf_to_peft(rlhf, gpt2, os.path.join(stories, "tok512.bin"), gpt2, "gpt2", work, data)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("ok: LoRA adapters cross between rlhf and PEFT both ways")


if __name__ == "__main__":
    main()
