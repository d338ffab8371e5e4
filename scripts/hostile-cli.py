#!/usr/bin/env python3
"""Developer check (not part of `make test`): many hostile invocations of the `rlhf` binary.

Each case must end with exit status 2 (or 0 where the input is valid), exactly one `error:` line on
standard error when it fails, within 2 s of wall time and 400 MB of peak memory, and never by a signal.
The cases: crafted model files (corrupted bytes, truncations and absurd header fields in copies of the
fixtures, GGUF and llama2.c files), crafted config.json values, and hostile flag values for every
subcommand. Prints one line per failed case and a summary `N passed, M failed`.

Usage: scripts/hostile-cli.py [--rlhf PATH] [--shared DIR] [--models DIR] [--seed S] [--cases N]
"""
import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--rlhf", default=None)
ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
ap.add_argument("--models", default=os.path.join(os.path.dirname(__file__), "..", "models"))
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--cases", type=int, default=300)
a = ap.parse_args()
rlhf = os.path.abspath(a.rlhf or os.path.join(
    subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], text=True).strip(), "rlhf"))
a.shared, a.models = os.path.abspath(a.shared), os.path.abspath(a.models)
rng = random.Random(a.seed)
work = tempfile.mkdtemp(prefix="hostile-")
fixtures = os.path.join(a.shared, "fixtures")
stories = os.path.join(a.shared, "data", "stories260K")
failures, passed = [], 0


def run(args, stdin=None, ok_status=(2,)):
    """Runs one case; records it as failed unless it meets the promise."""
    global passed
    start = time.time()
    usage = os.path.join(work, "usage.txt")
    try:
        p = subprocess.run(["/usr/bin/time", "-f", "%M %x", "-o", usage, rlhf] + args, input=stdin,
                           capture_output=True, timeout=10, cwd=work)
    except subprocess.TimeoutExpired:
        failures.append(("hang", args))
        return
    wall = time.time() - start
    report = open(usage).read().strip().splitlines()
    last = report[-1].split() if report else []
    peak_mb = int(last[0]) / 1024 if last and last[0].isdigit() else 0
    for line in report:  # "Command terminated by signal N" when the child died of a signal
        if line.startswith("Command terminated by signal"):
            p.returncode = -int(line.split()[-1])
    err = p.stderr.decode(errors="replace").strip().splitlines()
    errors = [l for l in err if l.startswith("error:")]
    why = None
    if p.returncode < 0:
        why = f"signal {-p.returncode}"
    elif p.returncode not in ok_status:
        why = f"status {p.returncode}"
    elif p.returncode == 2 and len(errors) != 1:
        why = f"{len(errors)} error lines"
    elif p.returncode == 2 and any(not l.startswith(("error:", "warning:")) for l in err):
        why = "extra stderr lines"
    elif wall > 2:
        why = f"{wall:.1f} s"
    elif peak_mb > 400:
        why = f"{peak_mb:.0f} MB"
    if why:
        failures.append((why, args, err[:2]))
    else:
        passed += 1


def mutated_copy(source_dir, name, mutate):
    dest = os.path.join(work, name)
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source_dir, dest)
    mutate(dest)
    return dest


def edit_config(folder, key, value):
    path = os.path.join(folder, "config.json")
    config = json.load(open(path))
    config[key] = value
    open(path, "w").write(json.dumps(config, allow_nan=True))


# 1. config.json fields with hostile values, for both causal LMs and the reward model
absurd = [0, -1, 2**31, 2**63 - 1, 10**30, 1.5, "12", None, True, [], {}, float("nan"), float("inf"), 1e-300]
for fixture, keys in [("gpt2-tiny", ["vocab_size", "n_embd", "n_head", "n_layer", "n_positions", "n_inner", "layer_norm_epsilon"]),
                      ("llama-tiny", ["vocab_size", "hidden_size", "num_attention_heads", "num_key_value_heads", "num_hidden_layers",
                                      "max_position_embeddings", "intermediate_size", "rms_norm_eps", "rope_theta", "head_dim"]),
                      ("gpt2-reward-tiny", ["vocab_size", "n_embd", "pad_token_id", "num_labels"])]:
    for key in keys:
        for value in rng.sample(absurd, 6):
            folder = mutated_copy(os.path.join(fixtures, fixture), f"{fixture}-{key}", lambda d: edit_config(d, key, value))
            if fixture.endswith("reward-tiny"):
                run(["reward", "score", "--model", folder, "--ids", "1,2,3"], ok_status=(0, 2))
            else:
                run(["score", "--model", folder, "--ids", "1,2,3"], ok_status=(0, 2))

# 2. corrupted and truncated weight files
for fixture in ["gpt2-tiny", "llama-tiny", "gpt2-reward-tiny"]:
    source = os.path.join(fixtures, fixture, "model.safetensors")
    size = os.path.getsize(source)
    for _ in range(12):
        def corrupt(d):
            path = os.path.join(d, "model.safetensors")
            data = bytearray(open(path, "rb").read())
            choice = rng.random()
            if choice < 0.3:
                data = data[:rng.randrange(0, size)]
            elif choice < 0.6:
                at = rng.randrange(0, min(size, 4096))
                data[at] = rng.randrange(256)
            else:
                data[0:8] = struct.pack("<Q", rng.choice([0, 2**63, 2**40, size * 10]))
            open(path, "wb").write(data)
        folder = mutated_copy(os.path.join(fixtures, fixture), f"{fixture}-bytes", corrupt)
        command = "reward" if "reward" in fixture else "score"
        run(([command, "score"] if command == "reward" else [command]) + ["--model", folder, "--ids", "1,2,3"], ok_status=(0, 2))

# 3. llama2.c checkpoints with hostile headers and truncations
stories_bin = os.path.join(stories, "stories260K.bin")
tok = os.path.join(stories, "tok512.bin")
if os.path.exists(stories_bin):
    raw = open(stories_bin, "rb").read()
    for _ in range(30):
        data = bytearray(raw)
        field = rng.randrange(7)
        data[4 * field:4 * field + 4] = struct.pack("<i", rng.choice([0, -1, -2**31, 2**31 - 1, 3, 10**6, 7]))
        if rng.random() < 0.3:
            data = data[:rng.randrange(28, len(data))]
        path = os.path.join(work, "hostile.bin")
        open(path, "wb").write(data)
        run(["score", "--model", path, "--tokenizer", tok, "--ids", "1,2,3"], ok_status=(0, 2))
    for _ in range(15):
        data = bytearray(open(tok, "rb").read())
        at = rng.randrange(0, min(len(data), 2048))
        data[at:at + 4] = struct.pack("<i", rng.choice([-1, 2**31 - 1, 10**7, 0]))
        path = os.path.join(work, "tok-hostile.bin")
        open(path, "wb").write(data)
        run(["tokenize", "--tokenizer", path, "--text", "hello world"], ok_status=(0, 2))

# 4. GGUF: corrupt bytes in the header region of the real SmolLM2 file (copied prefix + truncated)
gguf = os.path.join(a.models, "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
if os.path.exists(gguf):
    head = open(gguf, "rb").read(1 << 20)
    for _ in range(25):
        data = bytearray(head)
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(8, 64 * 1024)
            data[at:at + 8] = struct.pack("<Q", rng.choice([0, 2**63, 2**32 + 1, 10**12, 7]))
        path = os.path.join(work, "hostile.gguf")
        open(path, "wb").write(data)
        run(["score", "--model", path, "--ids", "1,2,3"])
        run(["tokenize", "--tokenizer", path, "--text", "hi"])

# 5. flags
model = os.path.join(fixtures, "gpt2-tiny")
flag_cases = [
    ["score", "--model", model, "--ids", ""], ["score", "--model", model, "--ids", "1,,2"],
    ["score", "--model", model, "--ids", "1,-5"], ["score", "--model", model, "--ids", "1,99999999999999999999"],
    ["score", "--model", model, "--ids", "1,2", "--attention-mask", "1,2"], ["score", "--model", model, "--ids", "1,2", "--position-ids", "0,5000"],
    ["score", "--model", model, "--ids", "1,2", "--threads", "0"], ["score", "--model", model, "--ids", "1,2", "--threads", "-3"],
    ["score", "--model", model, "--ids", "1,2", "--threads", "100000000"], ["score", "--model", "", "--ids", "1,2"],
    ["score", "--model", "/dev/zero", "--ids", "1,2"], ["score", "--model", "/proc/self/mem", "--ids", "1,2"],
    ["score", "--model", model, "--text", "x"], ["score", "--model", model, "--text-file", "/nonexistent"],
    ["score", "--model", model, "--ids", ",".join(["1"] * 5000)],
    ["generate", "--model", model, "--prompt", "x"], ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt", "x", "--max-new-tokens", "0"],
    ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt", "x", "--max-new-tokens", "99999999999"],
    ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt", "x", "--temperature", "nan"],
    ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt", "x", "--temperature", "-1"],
    ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt", "x", "--top-p", "2"],
    ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt", "x", "--top-k", "-1"],
    ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt", "x", "--min-p", "inf"],
    ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt", "x", "--seed", "-1"],
    ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt-file", "/dev/null"],
    ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt", "x" * 100000],
    ["tokenize", "--tokenizer", tok, "--text", "x", "--vocab-size", "-1"],
    ["tokenize", "--tokenizer", tok, "--text", "x", "--vocab-size", "9999999999"],
    ["tokenize", "--tokenizer", "/etc/passwd", "--text", "x"], ["tokenize", "--tokenizer", work, "--text", "x"],
    ["convert", "--from", model, "--to", ""], ["convert", "--from", model, "--to", "."],
    ["convert", "--from", model, "--to", "/proc/x"], ["convert", "--from", model, "--to", model, "--force"],
    ["bench", "train", "--model", "gpt2-tiny", "--batch", "99999999"], ["bench", "train", "--model", "gpt2-tiny", "--seq", "0"],
    ["bench", "generate", "--model", "gpt2-tiny", "--new-tokens", "999999999"], ["bench", "nope"],
    ["bench", "train", "--model", "gpt2-tiny", "--runs", "0"], ["reward", "score", "--model", model, "--ids", "1,2"],
    ["reward", "score", "--model", os.path.join(fixtures, "gpt2-reward-tiny"), "--ids", "1,2", "--attention-mask", "1"],
    ["reward", "score", "--model", os.path.join(fixtures, "gpt2-reward-tiny"), "--ids", "1,5000"],
    ["nonexistent-command"], ["score", "--no-such-flag"], ["score"],
]
for case in flag_cases:
    run(case, ok_status=(2,))
for _ in range(a.cases - passed - len(failures) if a.cases > passed + len(failures) else 0):
    ids = ",".join(str(rng.choice([0, 1, 999, 1000, -1, 2**31, 2**31 - 1, 10**20])) for _ in range(rng.randrange(1, 6)))
    run(["score", "--model", model, "--ids", ids], ok_status=(0, 2))

shutil.rmtree(work, ignore_errors=True)
for failure in failures:
    print("FAILED:", failure[0], [arg[:80] for arg in failure[1]], *(failure[2:] or [[]]))
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
