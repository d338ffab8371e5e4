#!/usr/bin/env python3
"""Developer check (not part of `make test`): `rlhf reward score` gives transformers' rewards, and reward-model
folders written by `rlhf convert` (HFSequenceClassifier.save) load in transformers as the same class.

  * ../shared/fixtures/gpt2-reward-tiny (GPT2ForSequenceClassification, pad id 0): transformers' rewards on the
    fixture's chosen/rejected rows (right-padded, with their masks) equal expected.safetensors, and
    `rlhf reward score --json` on the same rows equals them within 1e-4;
  * a LlamaForSequenceClassification made here with transformers (tiny seeded random config, pad id 0,
    grouped-query attention, save_pretrained): `rlhf reward score --json` equals transformers' rewards within
    1e-4 on right-padded rows of different lengths, given as one batch;
  * each of the two converted with `rlhf convert`: AutoModelForSequenceClassification.from_pretrained(...,
    output_loading_info=True) gives the same class with num_labels 1 and the same pad id, no missing,
    unexpected or mismatched keys and no warning the original does not log too; every tensor equals the
    original's bit for bit; the rewards equal the original's exactly, and `rlhf reward score` on the
    converted folder gives what it gives on the original.

Usage: scripts/check_reward_roundtrip.py [--rlhf PATH] [--shared DIR] [--keep DIR]
Run it with a Python that has torch, transformers and safetensors (e.g. the peer venv). Without --rlhf the
binary is `$(swift build -c release --show-bin-path)/rlhf` (build it first with `make build`).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch
import transformers
from hf_loading import load_with_warnings, rlhf_binary as find_rlhf, run
from safetensors.torch import load_file
from transformers import AutoModelForSequenceClassification, LlamaConfig, LlamaForSequenceClassification

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-4


def rlhf_rewards(rlhf, folder, rows, masks):
    """`rlhf reward score --json` on every row (with its mask) as one batch: one reward per row, in order."""
    command = [rlhf, "reward", "score", "--model", folder, "--json"]
    for ids, mask in zip(rows, masks):
        command += ["--ids", ",".join(map(str, ids)), "--attention-mask", ",".join(map(str, mask))]
    lines = run(command).splitlines()
    if len(lines) != len(rows):
        sys.exit(f"rlhf reward score printed {len(lines)} lines for {len(rows)} inputs")
    return [json.loads(line)["reward"] for line in lines]


def transformers_rewards(model, rows, masks):
    with torch.no_grad():
        logits = model(input_ids=torch.tensor(rows), attention_mask=torch.tensor(masks)).logits
    return logits[:, 0].tolist()


def load(folder):
    """The model in eval mode, its loading info, and every warning transformers logged or raised."""
    return load_with_warnings(AutoModelForSequenceClassification, folder)


def worst(a, b):
    return max(abs(x - y) for x, y in zip(a, b))


def check_scores(name, rlhf, folder, rows, masks, expected=None):
    """rlhf's rewards on `folder` against transformers' (and against `expected` when given)."""
    model, _, _ = load(folder)
    theirs = transformers_rewards(model, rows, masks)
    ours = rlhf_rewards(rlhf, folder, rows, masks)
    problems = []
    vs_expected = worst(theirs, expected) if expected is not None else None
    if vs_expected is not None and vs_expected > TOLERANCE:
        problems.append(f"transformers' rewards differ from expected.safetensors by {vs_expected:.3g}")
    vs_transformers = worst(ours, theirs)
    if vs_transformers > TOLERANCE:
        problems.append(f"rlhf reward score differs from transformers by {vs_transformers:.3g}: {ours} vs {theirs}")
    lengths = sorted({sum(m) for m in masks})
    note = f" max|transformers-expected|={vs_expected:.3g}" if vs_expected is not None else ""
    print(f"  {name:18} {type(model).__name__} rows={len(rows)} real lengths={lengths} "
          f"max|rlhf-transformers|={vs_transformers:.3g}{note}")
    print(f"  {name:18} rewards (rlhf)        {[round(r, 6) for r in ours]}")
    print(f"  {name:18} rewards (transformers) {[round(r, 6) for r in theirs]}")
    return problems


def check_converted(name, rlhf, original, saved, rows, masks):
    """The folder `rlhf convert` wrote from `original`: same class, keys, tensors and rewards."""
    model, info, messages = load(saved)
    reference, _, inherited = load(original)
    problems = []
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        if info.get(kind):
            problems.append(f"{kind}: {info[kind]}")
    problems += [f"warning: {m}" for m in messages if m not in inherited]
    if type(model) is not type(reference):
        problems.append(f"loads as {type(model).__name__}, the original as {type(reference).__name__}")
    if model.config.num_labels != 1 or model.config.pad_token_id != reference.config.pad_token_id:
        problems.append(f"num_labels {model.config.num_labels}, pad_token_id {model.config.pad_token_id} "
                        f"(original: {reference.config.pad_token_id})")
    if model.dtype != torch.float32:
        problems.append(f"dtype {model.dtype}")
    ours, theirs = model.state_dict(), reference.state_dict()
    different = [k for k in theirs if k not in ours or not torch.equal(ours[k], theirs[k])]
    if different or set(ours) != set(theirs):
        problems.append(f"tensors differ from the original: {different[:5]} {sorted(set(ours) ^ set(theirs))[:5]}")
    vs_original = worst(transformers_rewards(model, rows, masks), transformers_rewards(reference, rows, masks))
    if vs_original != 0.0:
        problems.append(f"transformers' rewards differ from the original folder's by {vs_original}")
    rlhf_vs = worst(rlhf_rewards(rlhf, saved, rows, masks), rlhf_rewards(rlhf, original, rows, masks))
    if rlhf_vs != 0.0:
        problems.append(f"rlhf reward score on the converted folder differs from the original's by {rlhf_vs}")
    print(f"  {name:18} {type(model).__name__} num_labels={model.config.num_labels} "
          f"pad_token_id={model.config.pad_token_id} tensors={len(ours)} missing={len(info['missing_keys'])} "
          f"unexpected={len(info['unexpected_keys'])} mismatched={len(info['mismatched_keys'])} "
          f"max|rewards-original|={vs_original:.3g} max|rlhf-rlhf(original)|={rlhf_vs:.3g}")
    return problems


def fixture_rows(folder):
    expected = load_file(os.path.join(folder, "expected.safetensors"))
    rows = expected["chosen_ids"].tolist() + expected["rejected_ids"].tolist()
    masks = expected["chosen_mask"].tolist() + expected["rejected_mask"].tolist()
    rewards = expected["reward_chosen"].tolist() + expected["reward_rejected"].tolist()
    return rows, masks, rewards


def make_llama(folder):
    """A tiny seeded random LlamaForSequenceClassification (pad id 0, GQA) saved with save_pretrained, and
    right-padded rows of different lengths (real ids never the pad id) with their masks."""
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=300, hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                         rms_norm_eps=1e-5, initializer_range=0.1, pad_token_id=0, bos_token_id=1, eos_token_id=2,
                         num_labels=1)
    model = LlamaForSequenceClassification(config).eval()
    model.save_pretrained(folder)
    generator = torch.Generator().manual_seed(1)
    lengths, width = [12, 5, 9, 12, 1, 7], 12
    rows, masks = [], []
    for length in lengths:
        ids = torch.randint(1, config.vocab_size, (length,), generator=generator).tolist()
        rows.append(ids + [0] * (width - length))
        masks.append([1] * length + [0] * (width - length))
    return rows, masks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rlhf", help="the rlhf binary (default: $(swift build -c release --show-bin-path)/rlhf)")
    parser.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    parser.add_argument("--keep", help="write the folders into this folder (kept) instead of a temporary one")
    args = parser.parse_args()
    rlhf = find_rlhf(args.rlhf, ROOT)
    transformers.utils.logging.disable_progress_bar()
    print(f"transformers {transformers.__version__}, torch {torch.__version__}, rlhf {rlhf}")
    gpt2 = os.path.join(args.shared, "fixtures", "gpt2-reward-tiny")

    with tempfile.TemporaryDirectory(prefix="reward-roundtrip-") as temporary:
        out = args.keep or temporary
        llama = os.path.join(out, "llama-reward-tiny")
        failures = []
        gpt2_rows, gpt2_masks, gpt2_expected = fixture_rows(gpt2)
        llama_rows, llama_masks = make_llama(llama)
        failures += check_scores("gpt2-reward-tiny", rlhf, gpt2, gpt2_rows, gpt2_masks, gpt2_expected)
        failures += check_scores("llama-reward-tiny", rlhf, llama, llama_rows, llama_masks)
        for name, source, rows, masks in (("gpt2-reward-tiny", gpt2, gpt2_rows, gpt2_masks),
                                          ("llama-reward-tiny", llama, llama_rows, llama_masks)):
            saved = os.path.join(out, name + "-converted")
            print(f"  {run([rlhf, 'convert', '--from', source, '--to', saved]).strip()}")
            failures += [f"{name} converted: {p}" for p in check_converted(name, rlhf, source, saved, rows, masks)]
    for problem in failures:
        print(f"  FAIL {problem}")
    print("OK: rlhf reward score matches transformers and converted reward models load as the same class"
          if not failures else f"FAILED: {len(failures)} problem(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
