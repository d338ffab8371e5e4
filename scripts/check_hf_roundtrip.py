#!/usr/bin/env python3
"""Developer check (not part of `make test`): folders written by `rlhf convert` load in transformers as they are.

Runs the built `rlhf convert` into a temporary folder on each source, then checks with transformers:
  * HF fixtures (gpt2-tiny, llama-tiny): AutoModelForCausalLM.from_pretrained(..., output_loading_info=True)
    reports no missing, unexpected or mismatched keys and logs no warning that loading the original fixture
    folder does not log too; every tensor equals the original's bit for bit; logits on the fixture's
    input_ids equal those of the original folder and the stored expected logits;
  * SmolLM2 GGUF: model and AutoTokenizer from the converted folder reproduce ../shared/fixtures/
    smollm2-goldens.json (prompt ids from apply_chat_template(add_generation_prompt=True) on the question,
    next-token log-probs and the top-10 logits at the last position within 1e-3, greedy ids) and the
    SmolLM2 ids of tokenizers.json;
  * stories260K (llama2.c .bin + tok512.bin): AutoTokenizer encodes like llama2.c's `encode` (run.c,
    transcribed below, reading tok512.bin itself) on the fixture strings, HH-RLHF dialogues and seeded
    random strings, and decodes them back; greedy generation from BOS gives the story that
    ../shared/data/README.md quotes; next-token log-probs equal `rlhf score` on the original .bin within 1e-4.

Usage: scripts/check_hf_roundtrip.py [--rlhf PATH] [--shared DIR] [--models DIR] [--keep DIR]
Run it with a Python that has torch, transformers and safetensors (e.g. the peer venv). Without --rlhf the
binary is `$(swift build -c release --show-bin-path)/rlhf` (build it first with `make build`).
"""
import argparse
import gzip
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

import torch
import transformers
from hf_loading import load_with_warnings, rlhf_binary as find_rlhf, run
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def convert(rlhf, source, folder, tokenizer=None):
    command = [rlhf, "convert", "--from", source, "--to", folder]
    if tokenizer:
        command += ["--tokenizer", tokenizer]
    print(f"  {run(command).strip()}")


def load(folder):
    """The model in eval mode, its loading info, and every warning transformers logged or raised."""
    return load_with_warnings(AutoModelForCausalLM, folder)


def loading_problems(model, info, messages, inherited=()):
    problems = []
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        if info.get(kind):
            problems.append(f"{kind}: {info[kind]}")
    problems += [f"warning: {m}" for m in messages if m not in inherited]
    if model.dtype != torch.float32:
        problems.append(f"dtype {model.dtype}")
    return problems


def check_fixture(saved, original):
    """An HF fixture converted: same tensors, same logits as the original folder and expected.safetensors."""
    model, info, messages = load(saved)
    reference, _, inherited = load(original)
    problems = loading_problems(model, info, messages, inherited)
    for m in sorted(set(messages) & set(inherited)):
        print(f"  note {os.path.basename(saved)}: the original fixture logs the same warning: {m}")
    ours, theirs = model.state_dict(), reference.state_dict()
    different = [k for k in theirs if k in ours and not torch.equal(ours[k], theirs[k])]
    if different:
        problems.append(f"tensors differ from the original: {different[:5]}")
    expected = load_file(os.path.join(original, "expected.safetensors"))
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
    print(f"  {os.path.basename(saved):12} {type(model).__name__} tied={model.config.tie_word_embeddings} "
          f"tensors={len(ours)} missing={len(info['missing_keys'])} unexpected={len(info['unexpected_keys'])} "
          f"mismatched={len(info['mismatched_keys'])} max|logits-original|={vs_original:.3g} "
          f"max|logits-expected|={vs_expected:.3g}")
    return problems


def next_token_logprobs(model, ids):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    logprobs = torch.log_softmax(logits, dim=-1)
    return [logprobs[i, ids[i + 1]].item() for i in range(len(ids) - 1)], logits[-1]


def check_smollm2(saved, shared):
    """The converted SmolLM2 GGUF against the transformers goldens and the tokenizer fixture."""
    model, info, messages = load(saved)
    problems = loading_problems(model, info, messages)
    tokenizer = AutoTokenizer.from_pretrained(saved)
    fixture = json.load(open(os.path.join(shared, "fixtures", "tokenizers.json")))["smollm2"]
    wrong = [case["text"] for case in fixture if tokenizer(case["text"])["input_ids"] != case["ids"]
             or tokenizer.decode(case["ids"]) != case.get("decoded", case["text"])]
    if wrong:
        problems.append(f"tokenizer differs from tokenizers.json on {wrong}")
    goldens = json.load(open(os.path.join(shared, "fixtures", "smollm2-goldens.json")))
    worst_logprob = worst_top10 = 0.0
    for case in goldens["cases"]:
        ids = tokenizer.apply_chat_template([{"role": "user", "content": case["question"]}],
                                            add_generation_prompt=True, tokenize=True)
        ids = list(ids["input_ids"] if hasattr(ids, "keys") else ids)
        if ids != case["prompt_ids"]:
            problems.append(f"{case['question']!r}: chat template gives {ids}, goldens {case['prompt_ids']}")
            continue
        logprobs, last = next_token_logprobs(model, ids)
        worst_logprob = max(worst_logprob, max(abs(a - b) for a, b in zip(logprobs, case["next_token_logprobs"])))
        top = torch.topk(last, 10)
        if top.indices.tolist() != case["last_top10_ids"]:
            problems.append(f"{case['question']!r}: top-10 ids {top.indices.tolist()}, goldens {case['last_top10_ids']}")
        worst_top10 = max(worst_top10, max(abs(a - b) for a, b in zip(top.values.tolist(), case["last_top10_logits"])))
        with torch.no_grad():
            output = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                    max_new_tokens=24, do_sample=False)
        greedy = output[0, len(ids):].tolist()
        if greedy != case["greedy_ids"]:
            problems.append(f"{case['question']!r}: greedy ids {greedy}, goldens {case['greedy_ids']}")
        else:
            print(f"  smollm2      {case['question']!r} -> {tokenizer.decode(greedy, skip_special_tokens=True)!r}")
    if worst_logprob > 1e-3:
        problems.append(f"next-token log-probs differ from the goldens by up to {worst_logprob:.3g}")
    if worst_top10 > 1e-3:
        problems.append(f"top-10 logits differ from the goldens by up to {worst_top10:.3g}")
    print(f"  smollm2      {type(model).__name__} {type(tokenizer).__name__} tokenizer-fixture-mismatches={len(wrong)} "
          f"max|logprob-golden|={worst_logprob:.3g} max|top10-golden|={worst_top10:.3g}")
    return problems


def read_llama2c_tokenizer(path, vocab_size):
    """tok512.bin: (pieces as bytes, scores)."""
    data = open(path, "rb").read()
    offset, pieces, scores = 4, [], []
    for _ in range(vocab_size):
        score, length = struct.unpack_from("<fi", data, offset)
        offset += 8
        pieces.append(data[offset:offset + length])
        scores.append(score)
        offset += length
    return pieces, scores


def llama2c_encode(pieces, scores, text):
    """llama2.c run.c `encode(t, text, bos=1, eos=0)`, step for step."""
    lookup = {}
    for i, piece in enumerate(pieces):
        lookup.setdefault(piece, i)
    tokens = [1]
    if text:
        tokens.append(lookup[b" "])
    for char in text:
        code_point = char.encode("utf-8")
        if code_point in lookup:
            tokens.append(lookup[code_point])
        else:
            tokens += [byte + 3 for byte in code_point]
    while True:
        best_score, best_id, best_index = -1e10, -1, -1
        for i in range(len(tokens) - 1):
            merged = lookup.get(pieces[tokens[i]] + pieces[tokens[i + 1]])
            if merged is not None and scores[merged] > best_score:
                best_score, best_id, best_index = scores[merged], merged, i
        if best_index == -1:
            return tokens
        tokens[best_index:best_index + 2] = [best_id]


def check_stories(saved, shared, bin_path, tok_path, rlhf):
    """The converted llama2.c checkpoint: tokenizer as llama2.c, the README's story, `rlhf score`'s log-probs."""
    model, info, messages = load(saved)
    problems = loading_problems(model, info, messages)
    tokenizer = AutoTokenizer.from_pretrained(saved)
    pieces, scores = read_llama2c_tokenizer(tok_path, model.config.vocab_size)
    texts = [case["text"] for cases in json.load(open(os.path.join(shared, "fixtures", "tokenizers.json"))).values()
             for case in cases]
    with gzip.open(os.path.join(shared, "data", "hh-rlhf-harmless-base-test.jsonl.gz"), "rt") as lines:
        for _, line in zip(range(200), lines):
            texts.append(json.loads(line)["chosen"][:600])
    generator = random.Random(20261121)
    alphabet = "abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789  \t\n.,;!?'\"-_()éüßñ日本語текст🦙²½<s>"
    texts += ["".join(generator.choice(alphabet) for _ in range(generator.randrange(40))) for _ in range(2000)]
    encode_wrong = [t for t in texts if tokenizer(t)["input_ids"] != llama2c_encode(pieces, scores, t)]
    decode_wrong = [t for t in texts if tokenizer.decode(tokenizer(t)["input_ids"], skip_special_tokens=True) != t]
    if encode_wrong:
        problems.append(f"encodes unlike llama2.c on {len(encode_wrong)} of {len(texts)} texts, e.g. {encode_wrong[:3]!r}")
    if decode_wrong:
        problems.append(f"decode(encode(text)) != text on {len(decode_wrong)} texts, e.g. {decode_wrong[:3]!r}")

    readme = open(os.path.join(shared, "data", "README.md")).read()
    story = readme.split('greedy output from BOS starts: "')[1].split('"')[0]
    with torch.no_grad():
        output = model.generate(torch.tensor([[1]]), attention_mask=torch.ones(1, 1, dtype=torch.long),
                                max_new_tokens=80, do_sample=False)
    text = tokenizer.decode(output[0], skip_special_tokens=True)
    if not text.startswith(story):
        problems.append(f"greedy story from BOS is {text!r}, the data README says {story!r}")

    ids = tokenizer(story)["input_ids"]
    ours = json.loads(run([rlhf, "score", "--model", bin_path, "--ids", ",".join(map(str, ids)), "--json"]))["logprobs"]
    theirs, _ = next_token_logprobs(model, ids)
    worst = max(abs(a - b) for a, b in zip(ours, theirs))
    if worst > 1e-4:
        problems.append(f"next-token log-probs differ from `rlhf score` on the .bin by up to {worst:.3g}")
    print(f"  stories260K  {type(model).__name__} {type(tokenizer).__name__} texts={len(texts)} "
          f"encode-mismatches={len(encode_wrong)} decode-mismatches={len(decode_wrong)} "
          f"story-from-BOS={'ok' if text.startswith(story) else 'WRONG'} max|logprob-rlhf score|={worst:.3g}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rlhf", help="the rlhf binary (default: $(swift build -c release --show-bin-path)/rlhf)")
    parser.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    parser.add_argument("--models", default=os.path.join(ROOT, "models"))
    parser.add_argument("--keep", help="convert into this folder (kept) instead of a temporary one")
    args = parser.parse_args()
    rlhf = find_rlhf(args.rlhf, ROOT)
    transformers.utils.logging.disable_progress_bar()
    print(f"transformers {transformers.__version__}, torch {torch.__version__}, rlhf {rlhf}")
    fixtures = os.path.join(args.shared, "fixtures")
    stories = os.path.join(args.shared, "data", "stories260K")
    gguf = os.path.join(args.models, "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")

    with tempfile.TemporaryDirectory(prefix="hf-roundtrip-") as temporary:
        out = args.keep or temporary
        checks = []
        for name in ("gpt2-tiny", "llama-tiny"):
            convert(rlhf, os.path.join(fixtures, name), os.path.join(out, name))
            checks.append((name, lambda n=name: check_fixture(os.path.join(out, n), os.path.join(fixtures, n))))
        convert(rlhf, gguf, os.path.join(out, "smollm2"))
        checks.append(("smollm2", lambda: check_smollm2(os.path.join(out, "smollm2"), args.shared)))
        bin_path, tok_path = os.path.join(stories, "stories260K.bin"), os.path.join(stories, "tok512.bin")
        convert(rlhf, bin_path, os.path.join(out, "stories260K"), tokenizer=tok_path)
        checks.append(("stories260K", lambda: check_stories(os.path.join(out, "stories260K"), args.shared,
                                                            bin_path, tok_path, rlhf)))
        failures = 0
        for name, check in checks:
            for problem in check():
                print(f"  FAIL {name}: {problem}")
                failures += 1
    print("OK: every converted folder loads in transformers and matches its source" if failures == 0
          else f"FAILED: {failures} problem(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
