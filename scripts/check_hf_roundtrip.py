#!/usr/bin/env python3
"""Developer check (not part of `make test`): checkpoints saved by HFCheckpoint.save load in transformers.

Runs the Swift export (`HFTransformersExport`, which loads the fixtures and saves them again) into a
temporary folder, then for each saved folder:
  * AutoModelForCausalLM.from_pretrained(..., output_loading_info=True) reports no missing, unexpected or
    mismatched keys and logs no warning that loading the original fixture folder does not log too;
  * every tensor equals the original fixture's (state_dict, bit for bit);
  * logits on the fixture's input_ids equal those of the original folder and the stored expected logits.

Usage: scripts/check_hf_roundtrip.py [--exported DIR] [--fixtures DIR] [--scratch-path PATH]
Run it with a Python that has torch, transformers and safetensors (e.g. the peer venv).
"""
import argparse
import logging
import os
import subprocess
import sys
import tempfile
import warnings

import torch
import transformers
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# saved folder name -> original fixture it must reproduce
CASES = {"gpt2-tiny": "gpt2-tiny", "llama-tiny": "llama-tiny", "llama-tiny-untied": "llama-tiny"}


def export(directory, scratch_path):
    """Runs the Swift test that saves the loaded fixtures into `directory`."""
    command = ["swift", "test", "-c", "release", "-Xswiftc", "-enable-testing", "-Xswiftc", "-target-cpu",
               "-Xswiftc", "haswell", "--scratch-path", scratch_path, "--filter", "HFTransformersExport"]
    env = dict(os.environ, RLHF_HF_EXPORT_DIR=directory)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("swift export failed:\n" + result.stdout[-4000:] + result.stderr[-4000:])


class Captured(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


def load(folder):
    """The model in eval mode, its loading info, and every warning transformers logged or raised."""
    # warning_once/info_once cache their messages process-wide: clear them so every load reports its own.
    transformers.utils.logging.warning_once.cache_clear()
    transformers.utils.logging.info_once.cache_clear()
    handler = Captured()
    logger = logging.getLogger("transformers")
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    transformers.logging.set_verbosity_warning()
    transformers.logging.disable_default_handler()
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        model, info = AutoModelForCausalLM.from_pretrained(folder, output_loading_info=True)
    logger.removeHandler(handler)
    logger.propagate = propagate
    messages = handler.records + [str(w.message) for w in raised]
    return model.eval(), info, messages


def check(saved, original, expected_path):
    problems = []
    model, info, messages = load(saved)
    reference, _, inherited = load(original)
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        if info.get(kind):
            problems.append(f"{kind}: {info[kind]}")
    problems += [f"warning: {m}" for m in messages if m not in inherited]
    for m in sorted(set(messages) & set(inherited)):
        print(f"  note {os.path.basename(saved)}: the original fixture logs the same warning: {m}")
    if model.dtype != torch.float32:
        problems.append(f"dtype {model.dtype}")

    ours, theirs = model.state_dict(), reference.state_dict()
    different = [k for k in theirs if k in ours and not torch.equal(ours[k], theirs[k])]
    if different:
        problems.append(f"tensors differ from the original: {different[:5]}")

    expected = load_file(expected_path)
    ids = expected["input_ids"].long()
    with torch.no_grad():
        logits = model(ids).logits
        reference_logits = reference(ids).logits
    vs_original = (logits - reference_logits).abs().max().item()
    vs_expected = (logits - expected["logits"]).abs().max().item()
    if vs_original != 0.0:
        problems.append(f"logits differ from the original folder by {vs_original}")
    if vs_expected > 1e-4:
        problems.append(f"logits differ from expected.safetensors by {vs_expected}")
    tied = model.config.tie_word_embeddings
    print(f"{os.path.basename(saved):18} {type(model).__name__:17} tied={str(tied):5} tensors={len(ours):3} "
          f"missing={len(info['missing_keys'])} unexpected={len(info['unexpected_keys'])} "
          f"mismatched={len(info['mismatched_keys'])} new-warnings={len([m for m in messages if m not in inherited])} "
          f"max|logits-original|={vs_original:.3g} max|logits-expected|={vs_expected:.3g}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exported", help="folder already filled by HFTransformersExport (skips the Swift run)")
    parser.add_argument("--fixtures", default=os.path.join(ROOT, "..", "shared", "fixtures"))
    parser.add_argument("--scratch-path", default=os.path.join(ROOT, ".build"))
    args = parser.parse_args()
    transformers.utils.logging.disable_progress_bar()
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")

    with tempfile.TemporaryDirectory(prefix="hf-roundtrip-") as temporary:
        exported = args.exported or temporary
        if not args.exported:
            export(exported, args.scratch_path)
        failures = 0
        for saved, original in CASES.items():
            fixture = os.path.join(args.fixtures, original)
            problems = check(os.path.join(exported, saved), fixture, os.path.join(fixture, "expected.safetensors"))
            for problem in problems:
                print(f"  FAIL {saved}: {problem}")
            failures += len(problems)
    print("OK: all saved checkpoints load in transformers with identical logits" if failures == 0
          else f"FAILED: {failures} problem(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
