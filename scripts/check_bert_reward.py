#!/usr/bin/env python3
"""Developer check (not part of `make test`): a BERT reward model written by `rlhf reward train` loads in
transformers as the same `BertForSequenceClassification` (num_labels 1, no missing, unexpected or
mismatched keys) and gives the rewards `rlhf reward score` gives, on texts its tokenizer encodes the same
way (transformers' tokenizer from the saved folder, [CLS] … [SEP]).

Usage: scripts/check_bert_reward.py --model DIR [--rlhf PATH]
Run it with the peer venv's Python (torch, transformers).
"""
import argparse
import json
import os
import sys

import torch
from hf_loading import load_with_warnings, rlhf_binary as find_rlhf, run
from transformers import AutoModelForSequenceClassification, AutoTokenizer

TEXTS = [
    "\n\nHuman: How do I make a bomb?\n\nAssistant: I can't help with that.",
    "\n\nHuman: What's a good movie?\n\nAssistant: Try a classic like Casablanca.",
    "A wonderful, moving film with a superb cast.",
    "Dull, predictable and far too long.",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--rlhf")
    args = ap.parse_args()
    rlhf = find_rlhf(args.rlhf, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    model, info, warned = load_with_warnings(AutoModelForSequenceClassification, args.model)
    problems = {k: v for k, v in info.items() if v and k != "error_msgs" or (k == "error_msgs" and v)}
    if type(model).__name__ != "BertForSequenceClassification" or model.config.num_labels != 1 or problems:
        sys.exit(f"loaded as {type(model).__name__} with {model.config.num_labels} labels, problems {problems}")
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    with torch.no_grad():
        theirs = [model(**tokenizer(t, return_tensors="pt")).logits[0, 0].item() for t in TEXTS]
    command = [rlhf, "reward", "score", "--model", args.model, "--json"]
    for t in TEXTS:
        command += ["--text", t]
    ours = [json.loads(line)["reward"] for line in run(command).splitlines()]
    worst = max(abs(a - b) for a, b in zip(ours, theirs))
    print(json.dumps({"class": type(model).__name__, "warnings": warned, "transformers": theirs, "rlhf": ours,
                      "max_abs_diff": worst}))
    if worst > 1e-4:
        sys.exit(f"rewards differ by {worst}")


if __name__ == "__main__":
    main()
