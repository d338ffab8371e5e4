#!/usr/bin/env python3
"""Developer check (not part of `make test`): many hostile invocations of the `rlhf` binary.

Each case must end with exit status 2 (or 0 where the input is valid), exactly one `error:` line on
standard error when it fails, within 2 s of wall time and 400 MB of peak memory (10 s and 1.5 GB where a
case needs a bigger input), never by a signal, with the user's files it names byte for byte as before and no
`*.replaced-*` folder left behind. The sections: `older` (crafted model files, config.json values and flags
of the first commands), `outputs` (the output rule: user folders, inputs inside outputs, special files),
`crashes` (deep YAML, overflowing checkpoint fields, tokenizer ids past the model), `memory` (alias bombs,
counts, huge side files, megabyte texts), `hangs` (gzip bombs of blank lines, repeated options, FIFO key
files, endpoints, an unanswering learner), `numbers` (NaN results, non-finite losses, moments and weights,
config ranges, models that disagree) and `again` (what attacking the commands once more found). Prints one
line per failed case and a summary `N passed, M failed`.

Usage: scripts/hostile-cli.py [--rlhf PATH] [--shared DIR] [--models DIR] [--seed S] [--cases N] [--only SECTIONS]
"""
import ctypes
import argparse
import glob
import gzip
import hashlib
import json
import os
import random
import shutil
import signal
import stat
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
ap.add_argument("--only", default=None, help="comma-separated sections to run (default: all)")
ap.add_argument("--slowest", type=int, default=0, help="print the N cases nearest their time bound")
a = ap.parse_args()
rlhf = os.path.abspath(a.rlhf or os.path.join(
    subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], text=True).strip(), "rlhf"))
a.shared, a.models = os.path.abspath(a.shared), os.path.abspath(a.models)
rng = random.Random(a.seed)
work = tempfile.mkdtemp(prefix="hostile-")
fixtures = os.path.join(a.shared, "fixtures")
stories = os.path.join(a.shared, "data", "stories260K")
failures, passed = [], 0
timings = []  # (seconds, peak MB, arguments) of every case, for --slowest
stories_bin = os.path.join(stories, "stories260K.bin")
tok = os.path.join(stories, "tok512.bin")


def tree_state(path):
    """What `path` holds, for byte-for-byte comparisons: each entry's kind and content hash (or device number)."""
    state = {}
    if not os.path.lexists(path):
        return None
    for root, dirs, files in os.walk(path) if os.path.isdir(path) and not os.path.islink(path) else [(os.path.dirname(path), [], [os.path.basename(path)])]:
        for name in dirs + files:
            full = os.path.join(root, name)
            st = os.lstat(full)
            rel = os.path.relpath(full, path)
            if stat.S_ISREG(st.st_mode):
                state[rel] = ("file", hashlib.sha256(open(full, "rb").read()).hexdigest())
            elif stat.S_ISDIR(st.st_mode):
                state[rel] = ("dir",)
            else:
                state[rel] = ("other", stat.S_IFMT(st.st_mode), st.st_rdev)
    return state


def leftovers():
    """Staging or set-aside folders a failed write left in the work folder."""
    found = []
    for root, dirs, files in os.walk(work):
        found += [os.path.join(root, n) for n in dirs + files if ".replaced-" in n]
    return found


def run(args, stdin=None, ok_status=(2,), cwd=None, untouched=(), limit_s=2, limit_mb=400, env=None, mentions=()):
    """Runs one case; records it as failed unless it meets the promise: an allowed status, one `error:` line on
    a failure, within `limit_s` seconds and `limit_mb` MB, every path of `untouched` byte for byte as before,
    and no `*.replaced-*` folder left behind."""
    global passed
    before = {p: tree_state(p) for p in untouched}
    start = time.time()
    usage = os.path.join(work, "usage.txt")
    # its own process group, so a hang is killed whole (rlhf as well as /usr/bin/time)
    child = subprocess.Popen(["/usr/bin/time", "-f", "%M %x", "-o", usage, rlhf] + args, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd or work,
                             env=dict(os.environ, **(env or {})), start_new_session=True)
    try:
        out, err_bytes = child.communicate(input=stdin, timeout=max(10, 3 * limit_s))
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        failures.append(("hang", args))
        return
    p = subprocess.CompletedProcess(args, child.returncode, out, err_bytes)
    wall = time.time() - start
    report = open(usage).read().strip().splitlines()
    last = report[-1].split() if report else []
    peak_mb = int(last[0]) / 1024 if last and last[0].isdigit() else 0
    timings.append((wall / limit_s, wall, peak_mb, args))
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
    elif p.returncode == 2 and any(m not in errors[0] for m in mentions):
        why = f"the error does not mention {[m for m in mentions if m not in errors[0]]}"
    elif wall > limit_s:
        why = f"{wall:.1f} s"
    elif peak_mb > limit_mb:
        why = f"{peak_mb:.0f} MB"
    elif any(tree_state(path) != state for path, state in before.items()):
        why = "touched " + ", ".join(path for path, state in before.items() if tree_state(path) != state)
    elif leftovers():
        why = "left " + ", ".join(leftovers())
        for path in leftovers():
            shutil.rmtree(path, ignore_errors=True)
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


def older_cases():
    """The first commands: crafted model files, config.json values and flags."""
    global passed
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
        ["bench", "transport", "--lora-rank", "0"], ["bench", "transport", "--lora-rank", "16", "--floats", "5"],
        ["bench", "transport", "--learner-address", "a b", "--generator-host", "true"], ["bench", "transport", "--generator-host", " "],
        ["bench", "stand-in", "--learner", "nope", "--insecure", "--host-name", "x"],
        ["bench", "stand-in", "--learner", "tcp://127.0.0.1:1", "--host-name", "x"],
        ["bench", "stand-in", "--learner", "tcp://127.0.0.1:1", "--host-name", "x", "--insecure", "--floats", "0"],
        ["reward", "score", "--model", os.path.join(fixtures, "gpt2-reward-tiny"), "--ids", "1,2", "--attention-mask", "1"],
        ["reward", "score", "--model", os.path.join(fixtures, "gpt2-reward-tiny"), "--ids", "1,5000"],
        ["nonexistent-command"], ["score", "--no-such-flag"], ["score"],
    ]
    for case in flag_cases:
        run(case, ok_status=(2,))
    for _ in range(a.cases - passed - len(failures) if a.cases > passed + len(failures) else 0):
        ids = ",".join(str(rng.choice([0, 1, 999, 1000, -1, 2**31, 2**31 - 1, 10**20])) for _ in range(rng.randrange(1, 6)))
        run(["score", "--model", model, "--ids", ids], ok_status=(0, 2))


# 6. The newer commands (reward, sft, dpo, pairs, lora, ppo, learner, worker, launch), as a hostile or careless user
# tries them: each case must end with status 2 and one error line and leave every file of the user's as it was.
repo = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
run_env = {"RLHF_SHARED": a.shared, "RLHF_MODELS": a.models}
_inputs = {}


def setup_run(args):
    """Runs rlhf to make an input the cases need; stops the script if it fails."""
    p = subprocess.run([rlhf] + args, capture_output=True, cwd=work, env=dict(os.environ, **run_env))
    if p.returncode != 0:
        sys.exit(f"setup failed: rlhf {' '.join(args)}\n{p.stderr.decode(errors='replace')[-2000:]}")


def safetensors_tensors(path):
    """The header and data of a safetensors file."""
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def write_safetensors(path, header, data):
    text = json.dumps(header).encode()
    open(path, "wb").write(struct.pack("<Q", len(text)) + text + data)


def scaled_floats(path, factor=None, value=None, names=None):
    """Rewrites the float32 tensors of a safetensors file (all, or `names`), scaled by `factor` or set to `value`."""
    header, data = safetensors_tensors(path)
    data = bytearray(data)
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32" or (names and name not in names):
            continue
        start, end = info["data_offsets"]
        floats = struct.unpack(f"<{(end - start) // 4}f", data[start:end])
        floats = [value if value is not None else f * factor for f in floats]
        data[start:end] = struct.pack(f"<{len(floats)}f", *floats)
    write_safetensors(path, header, bytes(data))


def inputs():
    """Inputs shared by the newer cases, made once: data files, a LoRA adapter, a PPO run and an SFT run with
    checkpoints, a config with absolute paths, and a Llama model whose vocabulary (100) is smaller than tok512's."""
    if _inputs:
        return _inputs
    d = os.path.join(work, "inputs")
    os.makedirs(d)
    i = {"dir": d}
    i["pairs"] = os.path.join(d, "pairs.jsonl")
    with open(i["pairs"], "w") as f:
        for n in range(16):
            f.write(json.dumps({"prompt": f"Once upon a time {n}", "chosen": " there was a happy cat", "rejected": " sad"}) + "\n")
    i["sft"] = os.path.join(d, "sft.jsonl")
    with open(i["sft"], "w") as f:
        for n in range(16):
            f.write(json.dumps({"prompt": f"Once upon a time {n}", "response": " there was a cat."}) + "\n")
    i["prompts"] = os.path.join(d, "prompts.txt")
    open(i["prompts"], "w").write("Once upon a time\nThe dog\n")
    i["stories_hf"] = os.path.join(d, "stories-hf")
    setup_run(["convert", "--from", stories_bin, "--tokenizer", tok, "--to", i["stories_hf"]])
    i["adapter"] = os.path.join(d, "adapter")
    setup_run(["dpo", "--model", stories_bin, "--tokenizer", tok, "--data", i["pairs"], "--lora-rank", "2", "--batch", "8",
               "--output", i["adapter"]])
    text = open(os.path.join(repo, "cluster/configs/sentiment-stories260k.yaml")).read()
    text = text.replace("${RLHF_SHARED:-../shared}", a.shared).replace("${RLHF_MODELS:-models}", a.models)
    i["config"] = os.path.join(d, "config.yaml")
    open(i["config"], "w").write(text)
    i["quick"] = ["--set", "iterations=1", "--set", "save_every=1", "--set", "eval_every=0", "--set", "batch_size=4",
                  "--set", "mini_batch_size=2"]
    i["ppo_run"] = os.path.join(d, "ppo-run")
    setup_run(["ppo", "--config", i["config"], "--output", i["ppo_run"]] + i["quick"])
    i["sft_run"] = os.path.join(d, "sft-run")
    setup_run(["sft", "--model", stories_bin, "--tokenizer", tok, "--data", i["sft"], "--batch", "8", "--save-every", "1",
               "--output", i["sft_run"]])
    i["vocab100"] = llama_with_vocabulary(100, os.path.join(d, "llama-vocab100"))
    i["vocab512"] = llama_with_vocabulary(512, os.path.join(d, "llama-vocab512"))
    _inputs.update(i)
    return i


def llama_with_vocabulary(size, folder):
    """llama-tiny with its embedding cut to `size` rows (512: tok512's vocabulary)."""
    os.makedirs(folder)
    config = json.load(open(os.path.join(fixtures, "llama-tiny", "config.json")))
    rows = config["vocab_size"]
    config["vocab_size"] = size
    json.dump(config, open(os.path.join(folder, "config.json"), "w"))
    header, data = safetensors_tensors(os.path.join(fixtures, "llama-tiny", "model.safetensors"))
    out, blobs, offset = {}, [], 0
    for name, info in sorted((k, v) for k, v in header.items() if k != "__metadata__"):
        start, end = info["data_offsets"]
        blob, shape = data[start:end], list(info["shape"])
        if shape and shape[0] == rows:
            blob, shape[0] = blob[:len(blob) // rows * size], size
        out[name] = {"dtype": info["dtype"], "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    write_safetensors(os.path.join(folder, "model.safetensors"), out, b"".join(blobs))
    return folder


def user_folder(name):
    """A folder of the user's own files, which no case may touch."""
    path = os.path.join(work, name)
    os.makedirs(os.path.join(path, "sub"), exist_ok=True)
    open(os.path.join(path, "notes.txt"), "w").write("my notes\n")
    open(os.path.join(path, "sub", "data.bin"), "wb").write(bytes(range(256)))
    return path


def copy_of(path, name):
    dest = os.path.join(work, name)
    shutil.rmtree(dest, ignore_errors=True)
    (shutil.copytree if os.path.isdir(path) else shutil.copy)(path, dest)
    return dest


def sparse(path, size=4 << 30, prefix=b""):
    """A file of `size` bytes that takes no disk: `prefix`, then a hole."""
    with open(path, "wb") as f:
        f.write(prefix)
        f.truncate(size)
    return path


def output_cases():
    """One output rule: no command replaces or writes into a folder of the user's, an input, or a special file."""
    i = inputs()
    user = user_folder("user")
    tok_in = lambda folder: [copy_of(tok, os.path.join(os.path.basename(folder), "tok512.bin"))][0]
    trainers = {
        "reward train": ["reward", "train", "--model", i["stories_hf"], "--tokenizer", tok, "--data", i["pairs"], "--batch", "8"],
        "dpo": ["dpo", "--model", stories_bin, "--tokenizer", tok, "--data", i["pairs"], "--batch", "8"],
        "sft": ["sft", "--model", stories_bin, "--tokenizer", tok, "--data", i["sft"], "--batch", "8"],
        "lora merge": ["lora", "merge", "--model", stories_bin, "--tokenizer", tok, "--adapter", i["adapter"]],
        "convert": ["convert", "--from", stories_bin, "--tokenizer", tok],
    }
    for name, args in trainers.items():
        flag = "--to" if name == "convert" else "--output"
        # a folder of the user's, without --force
        run(args + [flag, user], untouched=[user], mentions=[flag])
        # an input inside the folder, even with --force
        holder = os.path.join(work, "holds-input")
        shutil.rmtree(holder, ignore_errors=True)
        os.makedirs(holder)
        inside = copy_of(tok, "holds-input/tok512.bin")
        hostile = [inside if x == tok else x for x in args]
        run(hostile + [flag, holder, "--force"], untouched=[holder], mentions=[flag])
        # a regular file where the folder goes
        notes = os.path.join(user, "notes.txt")
        run(args + [flag, notes], untouched=[user], mentions=[flag])
        # the working folder, and the root
        run(args + [flag, ".", "--force"], cwd=user, untouched=[user], mentions=[flag])
    for command in (["ppo"], ["learner", "--bind", "tcp://127.0.0.1:0", "--insecure"]):
        run(command + ["--config", i["config"], "--output", user] + i["quick"], untouched=[user], env=run_env, mentions=["--output"])
    hosts = os.path.join(work, "hosts.txt")
    open(hosts, "w").write("localhost slots=5\n")
    run(["launch", "--hostfile", hosts, "--config", i["config"], "--output", user], untouched=[user], env=run_env,
        mentions=["--output"])
    # the adapter's own file as the output of pairs
    adapter = copy_of(i["adapter"], "adapter-copy")
    pairs_args = ["pairs", "--model", stories_bin, "--tokenizer", tok, "--prompts", i["prompts"], "--labeler", "none",
                  "--max-new-tokens", "4"]
    run(pairs_args + ["--adapter", adapter, "--output", os.path.join(adapter, "adapter_config.json")], untouched=[adapter],
        mentions=["--output"])
    run(pairs_args + ["--output", i["prompts"]], untouched=[i["prompts"]], mentions=["--output"])
    # special files: a FIFO, a socket, a device node (as root), and a link to a FIFO
    specials = os.path.join(work, "specials")
    os.makedirs(specials, exist_ok=True)
    fifo = os.path.join(specials, "fifo")
    os.mkfifo(fifo)
    import socket
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(os.path.join(specials, "socket"))
    targets = [fifo, os.path.join(specials, "socket")]
    if os.getuid() == 0:
        os.mknod(os.path.join(specials, "full"), 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        targets.append(os.path.join(specials, "full"))
    os.symlink(fifo, os.path.join(specials, "link-to-fifo"))
    targets.append(os.path.join(specials, "link-to-fifo"))
    for target in targets:
        run(pairs_args + ["--output", target], untouched=[specials], mentions=["--output"])
    sock.close()


def crash_cases():
    """Inputs that used to end in a signal: deep YAML, overflowing checkpoint fields, tokenizer ids past the model."""
    i = inputs()
    deep = os.path.join(work, "deep.yaml")
    for name, text in [("flow", "a: " + "[" * 5000 + "]" * 5000 + "\n"), ("map", "a: " + "{b: " * 5000 + "1" + "}" * 5000 + "\n"),
                       ("block", "".join(" " * n + f"k{n}:\n" for n in range(1000)) + " " * 1000 + "v: 1\n"),
                       ("sequence", "a:\n" + "- " * 5000 + "1\n")]:
        open(deep, "w").write(text)
        run(["ppo", "--config", deep, "--output", os.path.join(work, "deep-run")], env=run_env)
    run(["ppo", "--config", i["config"], "--output", os.path.join(work, "deep-run"), "--set", "x=" + "[" * 5000 + "]" * 5000], env=run_env)
    run(["ppo", "--config", i["config"], "--output", os.path.join(work, "deep-run"), "--set", "x=" + "{a: " * 5000 + "}" * 5000], env=run_env)
    for field in ["version", "prompt_position", "iteration", "batch_size"]:
        for value in [2**63 - 1, -2**63, 2**62]:
            resumed = copy_of(i["ppo_run"], "ppo-resume")
            for state_file in glob.glob(os.path.join(resumed, "checkpoints", "*", "state.json")):
                state = json.load(open(state_file))
                state[field] = value
                json.dump(state, open(state_file, "w"))
            run(["ppo", "--config", i["config"], "--output", resumed, "--resume"] + i["quick"], untouched=[resumed], env=run_env)
    for value in [2**63 - 1, -1, 2**40]:
        resumed = copy_of(i["ppo_run"], "ppo-resume")
        for state_file in glob.glob(os.path.join(resumed, "checkpoints", "*", "state.json")):
            state = json.load(open(state_file))
            state["optimizer_steps"] = [value]
            json.dump(state, open(state_file, "w"))
        run(["ppo", "--config", i["config"], "--output", resumed, "--resume"] + i["quick"], untouched=[resumed], env=run_env)
    for field, value in [("global_step", 2**63 - 1), ("max_steps", 2**63 - 1), ("train_batch_size", 2**63 - 1), ("max_len", -1)]:
        resumed = copy_of(i["sft_run"], "sft-resume")
        checkpoint = sorted(glob.glob(os.path.join(resumed, "checkpoint-*")))[-1]
        state = json.load(open(os.path.join(checkpoint, "trainer_state.json")))
        state[field] = value
        json.dump(state, open(os.path.join(checkpoint, "trainer_state.json"), "w"))
        run(["sft", "--model", stories_bin, "--tokenizer", tok, "--data", i["sft"], "--batch", "8", "--output", resumed,
             "--resume", checkpoint], untouched=[resumed])
    for size in ["10", "4", "100", "258"]:
        run(["tokenize", "--tokenizer", tok, "--vocab-size", size, "--text", "hello wörld ✓"], ok_status=(0, 2))
    small = i["vocab100"]
    run(["score", "--model", small, "--tokenizer", tok, "--text", "hello wörld ✓"], ok_status=(0, 2))
    run(["generate", "--model", small, "--tokenizer", tok, "--prompt", "hello ✓", "--max-new-tokens", "2"], ok_status=(0, 2))
    run(["sft", "--model", small, "--tokenizer", tok, "--data", i["sft"], "--batch", "8", "--output", os.path.join(work, "small-sft")],
        ok_status=(0, 2), limit_s=10)
    run(["ppo", "--config", i["config"], "--output", os.path.join(work, "small-ppo"), "--set", f"policy.model={small}"] + i["quick"],
        ok_status=(0, 2), env=run_env, limit_s=20)


def memory_cases():
    """Inputs that used to take memory without bound."""
    i = inputs()
    bomb = os.path.join(work, "bomb.yaml")
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        lines.append(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]")
    open(bomb, "w").write("\n".join(lines) + "\n")
    run(["ppo", "--config", bomb, "--output", os.path.join(work, "bomb-run")], env=run_env)
    with_bomb = os.path.join(work, "config-bomb.yaml")
    open(with_bomb, "w").write(open(i["config"]).read() + "\n".join(lines).replace("a0:", "x0:") + "\n")
    run(["ppo", "--config", with_bomb, "--output", os.path.join(work, "bomb-run")], env=run_env)
    run(["ppo", "--config", i["config"], "--output", os.path.join(work, "deep-set"), "--set", ".".join(["a"] * 20000) + "=1"], env=run_env)
    for key in ["batch_size", "mini_batch_size", "eval_prompts", "data.eval_prompts", "roles.rollout", "roles.reward", "roles.reference",
                "roles.task_rows", "iterations", "ppo_epochs", "generation.max_new_tokens", "generation.top_k", "samples_per_prompt",
                "data.max_prompt_tokens", "eval_every", "save_every"]:
        for value in [2**24 + 1, 2**31, 2**63 - 1]:
            run(["ppo", "--config", i["config"], "--output", os.path.join(work, "count-run"), "--set", f"{key}={value}"], env=run_env)
    for key in ["batch_size", "data.eval_prompts", "roles.rollout"]:  # as large as 2^24: within no machine's memory
        run(["ppo", "--config", i["config"], "--output", os.path.join(work, "count-run"), "--set", f"{key}={2**24}"], env=run_env)
    # side files of any size: each is checked before it is read
    big = os.path.join(work, "big")
    shutil.rmtree(big, ignore_errors=True)
    os.makedirs(big)
    model = copy_of(os.path.join(fixtures, "llama-tiny"), "big/model")
    sparse(os.path.join(model, "config.json"), prefix=b'{"model_type": "llama", ')
    run(["score", "--model", model, "--ids", "1,2"])
    for name in ["tokenizer.json", "vocab.json", "merges.txt", "vocab.txt", "tokenizer_config.json"]:
        folder = os.path.join(big, "tok-" + name)
        os.makedirs(folder)
        gpt2 = os.path.join(a.shared, "data", "gpt2")
        if name in ("vocab.json", "merges.txt"):
            for other in ("vocab.json", "merges.txt"):
                shutil.copy(os.path.join(gpt2, other), folder)
        if name in ("vocab.txt", "tokenizer_config.json"):
            open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n")
        sparse(os.path.join(folder, name), prefix=b'{"a": "' if name.endswith(".json") else b"a b\n")
        run(["tokenize", "--tokenizer", folder, "--text", "hello"])
        run(["tokenize", "--tokenizer", os.path.join(folder, name), "--text", "hello"])
    sparse(os.path.join(big, "tokenizer.bin"), prefix=struct.pack("<i", 16))
    run(["tokenize", "--tokenizer", os.path.join(big, "tokenizer.bin"), "--vocab-size", "512", "--text", "hello"])
    adapter = copy_of(i["adapter"], "big/adapter")
    sparse(os.path.join(adapter, "adapter_config.json"), prefix=b'{"r": 2, ')
    run(["score", "--model", stories_bin, "--tokenizer", tok, "--adapter", adapter, "--text", "hello"])
    for name in ["state.json", "metrics.jsonl", "policy/config.json"]:
        resumed = copy_of(i["ppo_run"], "ppo-resume")
        targets = [os.path.join(resumed, name)] if name == "metrics.jsonl" else glob.glob(os.path.join(resumed, "checkpoints", "*", name))
        for target in targets:
            sparse(target, prefix=b"{")
        run(["ppo", "--config", i["config"], "--output", resumed, "--resume"] + i["quick"], untouched=[resumed], env=run_env)
    resumed = copy_of(i["sft_run"], "sft-resume")
    checkpoint = sorted(glob.glob(os.path.join(resumed, "checkpoint-*")))[-1]
    sparse(os.path.join(checkpoint, "trainer_state.json"), prefix=b"{")
    run(["sft", "--model", stories_bin, "--tokenizer", tok, "--data", i["sft"], "--batch", "8", "--output", resumed,
         "--resume", checkpoint], untouched=[resumed])
    resumed = copy_of(i["sft_run"], "sft-resume")
    checkpoint = sorted(glob.glob(os.path.join(resumed, "checkpoint-*")))[-1]
    sparse(os.path.join(resumed, "metrics.jsonl"), prefix=b'{"step": 1}\n')
    run(["sft", "--model", stories_bin, "--tokenizer", tok, "--data", i["sft"], "--batch", "8", "--output", resumed,
         "--resume", checkpoint], untouched=[resumed])
    big_config = sparse(os.path.join(big, "run.yaml"), prefix=b"seed: 1\n")
    run(["ppo", "--config", big_config, "--output", os.path.join(work, "big-run")], env=run_env)
    hosts = sparse(os.path.join(big, "hosts.txt"), prefix=b"localhost slots=4\n")
    run(["launch", "--hostfile", hosts, "--config", i["config"], "--output", os.path.join(work, "big-launch")], env=run_env)
    lexicon = os.path.join(big, "vader")
    os.makedirs(lexicon)
    sparse(os.path.join(lexicon, "vader_lexicon.txt"), prefix=b"good\t1.9\t0.9\t[1]\n")
    shutil.copy(os.path.join(a.models, "vader", "emoji_utf8_lexicon.txt"), lexicon)
    run(["reward", "score", "--function", "vader", "--vader-lexicon", lexicon, "--text", "good"])
    keys = os.path.join(big, "keys")
    os.makedirs(keys)
    sparse(os.path.join(keys, "learner.key"), prefix=b"#   ****  Generated on 2026-01-01 by CZMQ  ****\n")
    run(["learner", "--config", i["config"], "--bind", "tcp://127.0.0.1:0", "--keys", keys, "--output", os.path.join(work, "keys-run")],
        env=run_env)
    # texts far past the length limit are cut before they are tokenized whole
    huge = "once upon a time " * ((63 << 20) // 17)  # 63 MiB
    long_pairs = os.path.join(big, "long-pairs.jsonl")
    with open(long_pairs, "w") as f:
        f.write(json.dumps({"prompt": huge, "chosen": " yes", "rejected": " no"}) + "\n")
        for n in range(7):
            f.write(json.dumps({"prompt": f"Once {n}", "chosen": " happy", "rejected": " sad"}) + "\n")
    long_sft = os.path.join(big, "long-sft.jsonl")
    with open(long_sft, "w") as f:
        f.write(json.dumps({"prompt": huge, "response": " yes"}) + "\n")
        f.write(json.dumps({"prompt": "Once", "response": huge}) + "\n")
        for n in range(6):
            f.write(json.dumps({"prompt": f"Once {n}", "response": " happy"}) + "\n")
    long_text = os.path.join(big, "long.txt")
    open(long_text, "w").write(huge)
    bounded = dict(ok_status=(0, 2), limit_s=10, limit_mb=1500)
    run(["dpo", "--model", stories_bin, "--tokenizer", tok, "--data", long_pairs, "--max-len", "32", "--batch", "8",
         "--output", os.path.join(work, "long-dpo")], **bounded)
    run(["reward", "train", "--model", stories_bin, "--tokenizer", tok, "--data", long_pairs, "--max-len", "32", "--batch", "8",
         "--output", os.path.join(work, "long-reward")], **bounded)
    run(["sft", "--model", stories_bin, "--tokenizer", tok, "--data", long_sft, "--max-len", "32", "--batch", "8",
         "--output", os.path.join(work, "long-sft")], **bounded)
    run(["score", "--model", stories_bin, "--tokenizer", tok, "--text-file", long_text], limit_s=10, limit_mb=1500)
    run(["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt-file", long_text], limit_s=10, limit_mb=1500)
    run(["reward", "score", "--model", os.path.join(a.models, "all-minilm-l6-v2"), "--text-file", long_text], **bounded)
    run(["pairs", "--model", stories_bin, "--tokenizer", tok, "--prompts", long_text, "--labeler", "none", "--output",
         os.path.join(work, "long-pairs-out.jsonl")], limit_s=10, limit_mb=1500)


def hang_cases():
    """Inputs that used to hang or take long to fail."""
    i = inputs()
    bomb = os.path.join(work, "blank.jsonl.gz")
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        chunk = b"\n" * (1 << 20)
        for _ in range(256):
            f.write(chunk)
    spaces = os.path.join(work, "spaces.jsonl.gz")
    with gzip.open(spaces, "wb", compresslevel=9) as f:
        chunk = b"  \r\n" * (1 << 18)
        for _ in range(256):
            f.write(chunk)
    for data in (bomb, spaces):
        run(["reward", "train", "--model", stories_bin, "--tokenizer", tok, "--data", data, "--output", os.path.join(work, "bomb-out")])
        run(["dpo", "--model", stories_bin, "--tokenizer", tok, "--data", data, "--output", os.path.join(work, "bomb-out")])
        run(["sft", "--model", stories_bin, "--tokenizer", tok, "--data", data, "--output", os.path.join(work, "bomb-out")])
        run(["reward", "eval", "--model", os.path.join(fixtures, "gpt2-reward-tiny"), "--tokenizer", os.path.join(a.shared, "data", "gpt2"),
             "--data", data])
        run(["ppo", "--config", i["config"], "--output", os.path.join(work, "bomb-run"), "--set", f"data.train={data}"] + i["quick"],
            env=run_env)
    # repeated options parse in linear time
    run(["ppo", "--config", i["config"], "--output", os.path.join(work, "many-sets")] + ["--set", "seed=1"] * 20000 + ["--set", "nope=1"],
        env=run_env)
    run(["reward", "score", "--model", os.path.join(fixtures, "gpt2-reward-tiny")] + ["--text", "x"] * 20000)
    run(["score", "--model", stories_bin, "--tokenizer", tok] + ["--text", "x"] * 20000)
    # a FIFO where a key file goes
    keys = os.path.join(work, "fifo-keys")
    os.makedirs(keys)
    for name in ["learner.key", "learner.public", "rollout-0.key"]:
        os.mkfifo(os.path.join(keys, name))
    run(["learner", "--config", i["config"], "--bind", "tcp://127.0.0.1:0", "--keys", keys, "--output", os.path.join(work, "fifo-run")],
        env=run_env)
    run(["worker", "--role", "rollout", "--connect", "tcp://127.0.0.1:5555", "--keys", keys, "--name", "rollout-0"])
    # endpoints
    for bind in ["tcp://*:99999", "tcp://*:-1", "tcp://*:65536", "tcp://127.0.0.1:", "tcp://*:port", "tcp://*:5555x", "tcp://:5555"]:
        run(["learner", "--config", i["config"], "--bind", bind, "--insecure", "--output", os.path.join(work, "bind-run")], env=run_env)
    for bind in ["tcp://0.0.0.0:5555", "tcp://*:5555", "tcp://[::]:5555"]:  # --insecure: loopback only
        run(["learner", "--config", i["config"], "--bind", bind, "--insecure", "--output", os.path.join(work, "bind-run")], env=run_env)
    for connect in ["tcp://127.0.0.1:99999", "tcp://127.0.0.1:0", "tcp://127.0.0.1", "tcp://:5555", "tcp://host:abc"]:
        run(["worker", "--role", "rollout", "--connect", connect, "--insecure"])
    for port in ["99999", "-1", "65536"]:
        run(["launch", "--hostfile", os.path.join(repo, "cluster/hosts-localhost.txt"), "--config", i["config"], "--port", port,
             "--output", os.path.join(work, "port-run")], env=run_env)
    # an unreachable or unresolvable learner is reported, and the worker keeps trying
    for connect in ["tcp://127.0.0.1:9", "tcp://no-such-host.invalid:5555"]:
        p = subprocess.Popen([rlhf, "worker", "--role", "rollout", "--connect", connect, "--insecure", "--connect-timeout", "2"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work)
        time.sleep(4)
        still_running = p.poll() is None
        p.terminate()
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        text = err.decode(errors="replace")
        global passed
        if still_running and "no answer from the learner" in text:
            passed += 1
        else:
            failures.append(("unreachable learner not reported, or the worker gave up", ["worker", "--connect", connect], text.splitlines()[-2:]))


def number_cases():
    """Numbers that used to turn into NaN results or wrong successes."""
    i = inputs()
    global passed
    p = subprocess.run([rlhf, "dpo", "--model", stories_bin, "--tokenizer", tok, "--data", i["pairs"], "--eval-fraction", "0",
                        "--batch", "8", "--output", os.path.join(work, "no-eval")], capture_output=True, cwd=work)
    if p.returncode == 0 and b"nan" not in p.stdout.lower():
        passed += 1
    else:
        failures.append(("dpo --eval-fraction 0 printed nan or failed", ["dpo", "--eval-fraction", "0"], [p.stdout.decode()[-200:]]))
    # a model whose numbers overflow: the loss is not finite, so nothing is written
    huge = copy_of(i["vocab512"], "huge-llama")
    scaled_floats(os.path.join(huge, "model.safetensors"), factor=1e30)
    for command in (["dpo", "--data", i["pairs"]], ["sft", "--data", i["sft"]], ["reward", "train", "--data", i["pairs"]]):
        out = os.path.join(work, "huge-out")
        run(command + ["--model", huge, "--tokenizer", tok, "--batch", "8", "--output", out], mentions=["not a finite number"])
        if os.path.exists(out):
            failures.append(("wrote a model after a non-finite loss", command, []))
            shutil.rmtree(out, ignore_errors=True)
    # non-finite optimizer moments on resume
    for value in [float("nan"), float("inf")]:
        resumed = copy_of(i["sft_run"], "sft-resume")
        checkpoint = sorted(glob.glob(os.path.join(resumed, "checkpoint-*")))[-1]
        scaled_floats(os.path.join(checkpoint, "optimizer.safetensors"), value=value)
        run(["sft", "--model", stories_bin, "--tokenizer", tok, "--data", i["sft"], "--batch", "8", "--output", resumed,
             "--resume", checkpoint], untouched=[resumed])
        resumed = copy_of(i["ppo_run"], "ppo-resume")
        for moments in glob.glob(os.path.join(resumed, "checkpoints", "*", "optimizer.safetensors")):
            scaled_floats(moments, value=value)
        run(["ppo", "--config", i["config"], "--output", resumed, "--resume"] + i["quick"], untouched=[resumed], env=run_env)
    for field, value in [("coefficient", -5), ("coefficient", 1e308), ("coefficient", float("nan"))]:
        resumed = copy_of(i["ppo_run"], "ppo-resume")
        for state_file in glob.glob(os.path.join(resumed, "checkpoints", "*", "state.json")):
            state = json.load(open(state_file))
            state["kl_controller"][field] = value
            open(state_file, "w").write(json.dumps(state, allow_nan=True))
        run(["ppo", "--config", i["config"], "--output", resumed, "--resume"] + i["quick"], untouched=[resumed], env=run_env)
    # lora merge of an adapter whose product overflows
    for value in [1e30, float("inf")]:
        adapter = copy_of(i["adapter"], "huge-adapter")
        scaled_floats(os.path.join(adapter, "adapter_model.safetensors"), value=value)
        out = os.path.join(work, "merged")
        run(["lora", "merge", "--model", stories_bin, "--tokenizer", tok, "--adapter", adapter, "--output", out])
        if os.path.exists(out):
            failures.append(("lora merge wrote non-finite weights", ["lora", "merge", str(value)], []))
            shutil.rmtree(out, ignore_errors=True)
    # config values out of range
    for key, values in {"learning_rate": ["1e308", "1e3", "-1", "nan", "inf"], "no_eos_penalty": ["1e308", "nan", "-inf"],
                        "init_kl_coef": ["1e308", "nan"], "target": ["1e308", "nan"], "horizon": ["nan", "1e308"],
                        "cliprange": ["1e308", "nan"], "cliprange_value": ["1e308"], "vf_coef": ["1e308", "nan"],
                        "max_grad_norm": ["1e308", "nan"], "ratio_threshold": ["nan"], "gamma": ["nan"], "lam": ["nan"],
                        "entropy_coef": ["1e308"], "generation.temperature": ["1e308", "nan", "1e-30"],
                        "generation.top_p": ["nan"], "generation.min_p": ["nan"], "lora.rank": ["-1"], "lora.alpha": ["1e308"],
                        "seed": ["-1", "1e30", "18446744073709551616"], "data.eval_fraction": ["nan"],
                        "data.prompt_tokens": ["[0, 8]", "[8, 2]", "[1, 100000000]"]}.items():
        for value in values:
            run(["ppo", "--config", i["config"], "--output", os.path.join(work, "range-run"), "--set", f"{key}={value}"], env=run_env)
    # the reference and critic must share the policy's vocabulary; the chat template must exist
    for override in ["reference.model=" + os.path.join(fixtures, "llama-tiny"), "critic.model=" + os.path.join(fixtures, "gpt2-reward-tiny"),
                     "policy.chat_template=nope", "reward.model=" + os.path.join(fixtures, "gpt2-reward-tiny")]:
        sets = ["--set", override] + (["--set", "reward.function=", "--set", "reward.lexicon="] if override.startswith("reward.") else [])
        run(["ppo", "--config", i["config"], "--output", os.path.join(work, "vocab-run")] + sets + i["quick"], env=run_env, limit_s=10)


def second_attack_cases():
    """What attacking the commands once more found, the new flags and files included: FIFOs where a model or
    tokenizer goes, JSON nested deep in every JSON a command reads, a marker file that is not one, output
    paths through links and files, the new options' values, a config of many keys."""
    i = inputs()
    fifos = os.path.join(work, "fifos")
    os.makedirs(os.path.join(fifos, "folder"))
    for name in ["model.bin", "model.gguf", "tok.bin", "folder/model.safetensors"]:
        os.mkfifo(os.path.join(fifos, name))
    shutil.copy(os.path.join(fixtures, "llama-tiny", "config.json"), os.path.join(fifos, "folder"))
    run(["score", "--model", os.path.join(fifos, "model.bin"), "--tokenizer", tok, "--ids", "1,2"], untouched=[fifos])
    run(["score", "--model", os.path.join(fifos, "model.gguf"), "--ids", "1,2"], untouched=[fifos])
    run(["score", "--model", os.path.join(fifos, "folder"), "--ids", "1,2"], untouched=[fifos])
    run(["tokenize", "--tokenizer", os.path.join(fifos, "tok.bin"), "--text", "hi"], untouched=[fifos])
    run(["score", "--model", stories_bin, "--tokenizer", os.path.join(fifos, "tok.bin"), "--text", "hi"], untouched=[fifos])
    # JSON nested 200,000 deep in each JSON a command reads
    deep = "[" * 200000 + "]" * 200000
    folder = os.path.join(work, "deep-json")
    os.makedirs(folder)
    open(os.path.join(folder, "tokenizer.json"), "w").write(deep)
    run(["tokenize", "--tokenizer", os.path.join(folder, "tokenizer.json"), "--text", "hi"])
    model = copy_of(os.path.join(fixtures, "llama-tiny"), "deep-config")
    open(os.path.join(model, "config.json"), "w").write('{"a": ' + deep + "}")
    run(["score", "--model", model, "--ids", "1,2"])
    lines = os.path.join(work, "deep.jsonl")
    open(lines, "w").write('{"prompt": ' + deep + ', "chosen": "a", "rejected": "b"}\n')
    run(["dpo", "--model", stories_bin, "--tokenizer", tok, "--data", lines, "--output", os.path.join(work, "deep-out")])
    resumed = copy_of(i["ppo_run"], "ppo-resume")
    for state_file in glob.glob(os.path.join(resumed, "checkpoints", "*", "state.json")):
        open(state_file, "w").write('{"a": ' + deep + "}")
    run(["ppo", "--config", i["config"], "--output", resumed, "--resume"] + i["quick"], untouched=[resumed], env=run_env)
    # a marker that is a FIFO, or names another command, does not make a folder the command's own
    marked = user_folder("marked")
    os.mkfifo(os.path.join(marked, ".rlhf-output.json"))
    dpo = ["dpo", "--model", stories_bin, "--tokenizer", tok, "--data", i["pairs"], "--batch", "8"]
    run(dpo + ["--output", marked], untouched=[marked], mentions=["--output"])
    other = user_folder("marked-other")
    open(os.path.join(other, ".rlhf-output.json"), "w").write('{"command": "convert"}')
    run(dpo + ["--output", other], untouched=[other], mentions=["--output"])
    # outputs through links and under files
    holder = user_folder("link-target")
    inside = copy_of(tok, "link-target/tok512.bin")
    os.symlink(holder, os.path.join(work, "link-to-holder"))
    run([x if x != tok else inside for x in dpo] + ["--output", os.path.join(work, "link-to-holder"), "--force"], untouched=[holder],
        mentions=["--output"])
    run(dpo + ["--output", os.path.join(holder, "notes.txt", "sub")], untouched=[holder], mentions=["--output"])
    run(["pairs", "--model", stories_bin, "--tokenizer", tok, "--prompts", i["prompts"], "--labeler", "none",
         "--output", os.path.join(holder, "notes.txt", "pairs.jsonl")], untouched=[holder], mentions=["--output"])
    # an adapter holding a NaN, applied or merged
    broken = copy_of(i["adapter"], "nan-adapter")
    scaled_floats(os.path.join(broken, "adapter_model.safetensors"), value=float("nan"))
    run(["score", "--model", stories_bin, "--tokenizer", tok, "--adapter", broken, "--text", "hi"], mentions=["non-finite"])
    run(["lora", "merge", "--model", stories_bin, "--tokenizer", tok, "--adapter", broken, "--output", os.path.join(work, "nan-merged")],
        mentions=["non-finite"])
    # the new options' values
    for value in ["nan", "inf", "-1", "0", "1e9"]:
        run(["worker", "--role", "rollout", "--connect", "tcp://127.0.0.1:5555", "--insecure", "--connect-timeout", value])
        run(["worker", "--role", "rollout", "--connect", "tcp://127.0.0.1:5555", "--insecure", "--learner-timeout", value])
        run(["learner", "--config", i["config"], "--bind", "tcp://127.0.0.1:0", "--insecure", "--role-timeout", value,
             "--output", os.path.join(work, "role-timeout-run")], env=run_env)
    for name in ["../../etc/passwd", "a/b", ".hidden", ""]:
        run(["worker", "--role", "rollout", "--connect", "tcp://127.0.0.1:5555", "--keys", work, "--name", name])
    run(["score", "--model", stories_bin, "--tokenizer", tok, "--ids", "1,2"] + ["--json"] * 1000)
    run(dpo + ["--output", os.path.join(work, "x")] + ["--force"] * 1000)
    # a run config of 100,000 keys parses in linear time
    many = os.path.join(work, "many-keys.yaml")
    open(many, "w").write("".join(f"k{n}: 1\n" for n in range(100000)))
    run(["ppo", "--config", many, "--output", os.path.join(work, "many-run")], env=run_env)
    dup = os.path.join(work, "dup-keys.yaml")
    open(dup, "w").write("".join(f"k{n}: 1\n" for n in range(50000)) + "k7: 2\n")
    run(["ppo", "--config", dup, "--output", os.path.join(work, "many-run")], env=run_env, mentions=["twice"])
    operator_cases()


def operator_cases():
    """The operator's commands and `launch --resume` against hostile run folders: a cluster.json that is
    missing, a FIFO, deep, huge, foreign or insecure, an endpoint nobody listens on, keys that are not keys,
    timeouts and worker names out of range. Each ends in one line and status 2, touching nothing."""
    deep = "[" * 200000 + "]" * 200000
    shapes = {"missing": None, "fifo": "FIFO", "deep": '{"a": ' + deep + "}", "huge": " " * (2 << 20) + "{}",
              "foreign": '{"endpoint": 5}', "insecure": '{"endpoint": "tcp://127.0.0.1:9", "secure": false}',
              "no-port": '{"hostfile": "h", "config": "c", "overrides": [], "role_timeout": 600, "endpoint": "tcp://x", '
                         '"secure": true, "processes": []}',
              "bad-keys": '{"endpoint": "tcp://127.0.0.1:9", "operator_keys": "/etc"}'}
    for name, text in shapes.items():
        folder = user_folder("cluster-" + name)
        path = os.path.join(folder, "cluster.json")
        if text == "FIFO": os.mkfifo(path)
        elif text is not None: open(path, "w").write(text)
        for command in [["status"], ["checkpoint"], ["stop"], ["drain", "reward-0"], ["scale", "--rollout", "+1"],
                        ["keys", "issue", "--role", "reward"], ["monitor", "--json", "--updates", "1"]]:
            run(command + ["--run", folder, "--timeout", "0.5"], untouched=[folder])
        run(["launch", "--resume", folder], untouched=[folder])
    keyless = user_folder("operator-keys")
    open(os.path.join(keyless, "operator.key"), "w").write("not a key\n")
    run(["stop", "--connect", "tcp://127.0.0.1:9", "--keys", keyless], untouched=[keyless])
    for value in ["nan", "inf", "-1", "0", "1e9"]:
        run(["status", "--connect", "tcp://127.0.0.1:9", "--keys", keyless, "--timeout", value])
    for name in ["reward", "reward-01", "../reward-0", "reward-0\n", "x" * 5000]:
        run(["drain", "--connect", "tcp://127.0.0.1:9", "--keys", keyless, name])
    run(["launch", "--resume", keyless, "--config", "x"])
    # scale counts and roles out of range, and keys issue without a place for the key
    for count in ["", "x", "+", "--1", "1.5", "-0x1", "99999999999999999999", "5000", "+5000", "-5000", "1\n"]:
        run(["scale", "--connect", "tcp://127.0.0.1:9", "--keys", keyless, "--rollout", count])
    run(["scale", "--connect", "tcp://127.0.0.1:9", "--keys", keyless])
    for role in ["learner", "operator", "", "x" * 5000]:
        run(["keys", "issue", "--connect", "tcp://127.0.0.1:9", "--keys", keyless, "--output", keyless, "--role", role], untouched=[keyless])
    run(["keys", "issue", "--connect", "tcp://127.0.0.1:9", "--keys", keyless, "--role", "rollout"], untouched=[keyless])
    run(["monitor", "--connect", "tcp://127.0.0.1:9", "--keys", keyless, "--updates", "0"])
    run(["monitor", "--connect", "tcp://127.0.0.1:9", "--keys", keyless, "--timeout", "0.3"])
    # no learner at the endpoint: no answer within the timeout is one line too
    run(["status", "--connect", "tcp://127.0.0.1:9", "--keys", keyless, "--timeout", "0.3"])
    eval_and_label_cases()


def eval_and_label_cases():
    """`rlhf eval` and `rlhf label` against hostile inputs: prompts, run folders and metrics that are missing,
    FIFOs, huge or malformed; policies of another vocabulary; a pairs file that is not pairs; a database that
    is not SQLite or not a labeling database; an open bind without a token; an export onto its own database."""
    prompts = os.path.join(work, "eval-prompts.txt")
    open(prompts, "w").write("Once upon a time\nThe film\n")
    base = ["eval", "--policy", stories_bin, "--tokenizer", tok, "--reward", "vader", "--count", "2", "--max-new-tokens", "2"]
    out = os.path.join(work, "eval-out")
    for name, text in {"fifo": "FIFO", "huge": "x", "deep-json": "{" * 100000, "no-prompt": '{"text": 1}\n', "empty": ""}.items():
        path = os.path.join(work, "eval-prompts-" + name)
        if text == "FIFO": os.mkfifo(path)
        elif name == "huge": sparse(path)
        else: open(path, "w").write(text)
        run(base + ["--prompts", path, "--output", out], untouched=[path])
    for name, text in {"not-json": "nope\n", "no-iteration": '{"env/reward_mean": 1}\n', "nothing": '{"iteration": 0}\n',
                       "fifo": "FIFO", "huge": "x"}.items():
        folder = user_folder("eval-run-" + name)
        metrics = os.path.join(folder, "metrics.jsonl")
        if text == "FIFO": os.mkfifo(metrics)
        elif name == "huge": sparse(metrics)
        else: open(metrics, "w").write(text)
        run(base + ["--prompts", prompts, "--run", folder, "--output", out], untouched=[folder])
    checkpoints = user_folder("eval-no-checkpoint")
    os.makedirs(os.path.join(checkpoints, "checkpoints"))
    run(base + ["--prompts", prompts, "--policy", checkpoints, "--output", out], untouched=[checkpoints], mentions=["no checkpoint"])
    run(base + ["--prompts", prompts, "--policy", os.path.join(a.models, "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"), "--output", out],
        limit_s=10, limit_mb=1500, mentions=["vocabulary"])
    mine = user_folder("eval-user-folder")
    run(base + ["--prompts", prompts, "--output", mine], untouched=[mine], mentions=["--output"])
    for flags in [["--count", "0"], ["--temperature", "nan"], ["--top-p", "2"], ["--batch-size", "0"], ["--bins", "100000"],
                  ["--prompt-tokens", "9,2"], ["--prompt-format", "imdb", "--chat"], ["--name", "a", "--name", "b"], ["--reward-model", "x"]]:
        run(base + ["--prompts", prompts, "--output", out] + flags)
    run(["eval", "--prompts", prompts, "--reward", "vader", "--output", out], mentions=["--policy"])
    # the labeling app
    pairs = os.path.join(work, "label-pairs.jsonl")
    open(pairs, "w").write('{"prompt": "p", "response_a": "a", "response_b": "b"}\n')
    db = os.path.join(work, "label.sqlite")
    for name, text in {"not-pairs": '{"prompt": "p"}\n', "array": "[1, 2]\n", "empty": "\n\n", "fifo": "FIFO", "huge": "x"}.items():
        path = os.path.join(work, "label-pairs-" + name)
        if text == "FIFO": os.mkfifo(path)
        elif name == "huge": sparse(path)
        else: open(path, "w").write(text)
        run(["label", "serve", "--pairs", path, "--db", db, "--port", "0"], untouched=[path])
    run(["label", "serve", "--pairs", pairs, "--db", db, "--host", "0.0.0.0"], mentions=["--token"])
    for token in ["short", "with space in it", "x" * 300]:
        run(["label", "serve", "--pairs", pairs, "--db", db, "--token", token], mentions=["--token"])
    for port in ["-1", "65536", "x"]:
        run(["label", "serve", "--pairs", pairs, "--db", db, "--port", port])
    text_db = os.path.join(work, "text.sqlite")
    open(text_db, "w").write("not a database\n" * 100)
    run(["label", "serve", "--pairs", pairs, "--db", text_db, "--port", "0"], untouched=[text_db])
    run(["label", "export", "--db", text_db, "--output", os.path.join(work, "export.jsonl")], untouched=[text_db])
    run(["label", "export", "--db", os.path.join(work, "none.sqlite"), "--output", os.path.join(work, "export.jsonl")],
        mentions=["no such database"])
    run(["label", "export", "--db", text_db, "--output", text_db], untouched=[text_db])
    folder_db = user_folder("label-db-folder")
    run(["label", "serve", "--pairs", pairs, "--db", folder_db, "--port", "0"], untouched=[folder_db])
    launcher_cases()


def launcher_cases():
    """`rlhf launch --launcher ssh|slurm` misused: an unknown launcher, options of another launcher, a missing
    ssh config or tarball, slurm outside an allocation or with a hostile allocation, a host that does not
    answer ssh, a learner on a remote host: each one line, status 2, and the run folder not made."""
    hosts = os.path.join(work, "launch-hosts.txt")
    open(hosts, "w").write("localhost slots=1 roles=learner\n127.0.0.3 slots=4\n")
    out = os.path.join(work, "launch-out")
    base = ["launch", "--config", inputs()["config"], "--output", out]
    run(base + ["--hostfile", hosts, "--launcher", "pbs"], mentions=["--launcher"])
    run(base + ["--hostfile", hosts, "--launcher", "\x1b[2Jssh"], mentions=["--launcher"])
    for flag, value in [("--learner-address", "10.0.0.1"), ("--ssh-config", hosts), ("--remote-dir", "/tmp/x"), ("--dist", hosts)]:
        run(base + ["--hostfile", hosts, flag, value], mentions=[flag])
        run(base + ["--hostfile", hosts, "--launcher", "slurm", flag, value], mentions=[flag])
    run(base + ["--hostfile", hosts, "--slots-per-node", "2"], mentions=["--slots-per-node"])
    run(base + ["--launcher", "slurm", "--slots-per-node", "0"], mentions=["--slots-per-node"])
    run(base + ["--hostfile", hosts, "--remote-rlhf", "/usr/bin/rlhf"], mentions=["--remote-rlhf"])
    run(base + ["--hostfile", hosts, "--launcher", "ssh", "--ssh-config", os.path.join(work, "no-such-config")], mentions=["--ssh-config"])
    run(base + ["--hostfile", hosts, "--launcher", "ssh", "--dist", os.path.join(work, "no-such.tar.xz")], mentions=["--dist"])
    # outside an allocation, and inside hostile ones (scontrol may be missing: that is one line too)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    run(base + ["--launcher", "slurm"], env=clean, mentions=["slurm"])
    for nodes, cpus in [("n[1-2]", "2(x3"), ("", "2"), ("n1", "-4"), ("n1", "4(x99999999999)")]:
        run(base + ["--launcher", "slurm"], env=dict(clean, SLURM_JOB_ID="7", SLURM_JOB_NODELIST=nodes, SLURM_JOB_CPUS_PER_NODE=cpus), limit_s=5)
    # a host that refuses ssh: one line naming the host
    config = os.path.join(work, "ssh-config")
    open(config, "w").write("Host *\n  ConnectTimeout 1\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n")
    run(base + ["--hostfile", hosts, "--launcher", "ssh", "--ssh-config", config, "--learner-address", "127.0.0.1"], limit_s=20,
        mentions=["127.0.0.3"])
    # the learner's host must be this machine, and its address one the hosts reach
    remote_first = os.path.join(work, "launch-remote-first.txt")
    open(remote_first, "w").write("127.0.0.2 slots=4\n")
    run(base + ["--hostfile", remote_first, "--launcher", "ssh", "--ssh-config", config], limit_s=20)
    assert not os.path.exists(out), "a refused launch made its run folder"


def device_cases():
    """`--device cuda:N` on every computing command where no such GPU (or no CUDA at all) exists: one line naming
    the device and what is missing, status 2, nothing written; malformed devices and precisions too."""
    i = inputs()
    try:
        ctypes.CDLL("libcuda.so.1")
        has_driver = True
    except OSError:
        has_driver = False
    # without the driver the line names libcuda.so.1; with one, cuda:999 is a GPU that is not there
    mentions = ["cuda:999"] + ([] if has_driver else ["libcuda.so.1"])
    env = {"RLHF_CUDA_LIBRARY_PATH": os.path.join(work, "no-cuda-here")}
    out = os.path.join(work, "device-out")
    device = ["--device", "cuda:999"]
    for command in (["score", "--model", stories_bin, "--tokenizer", tok, "--text", "Once upon a time"],
                    ["generate", "--model", stories_bin, "--tokenizer", tok, "--prompt", "Once", "--max-new-tokens", "2"],
                    ["reward", "score", "--model", i["stories_hf"], "--ids", "1,2,3"],
                    ["sft", "--model", stories_bin, "--tokenizer", tok, "--data", i["sft"], "--batch", "8", "--output", out],
                    ["dpo", "--model", stories_bin, "--tokenizer", tok, "--data", i["pairs"], "--batch", "8", "--output", out],
                    ["ppo", "--config", i["config"], "--output", out] + i["quick"],
                    ["eval", "--policy", stories_bin, "--tokenizer", tok, "--prompts", i["prompts"], "--reward", "vader",
                     "--count", "2", "--output", out],
                    ["bench", "train", "--model", "gpt2-tiny", "--runs", "1", "--warmup", "0"],
                    ["check-gpu", "--only", "kernel"]):
        run(command + device, mentions=mentions, env=dict(env, **run_env), limit_s=5)
        if os.path.exists(out):
            failures.append(("wrote an output folder for a device it cannot use", command, []))
            shutil.rmtree(out, ignore_errors=True)
    for bad in ("cuda:x", "cuda:-1", "gpu:0", "cuda:0,1", "cuda:" + "9" * 40):
        run(["score", "--model", stories_bin, "--tokenizer", tok, "--text", "x", "--device", bad], mentions=["--device"])
    run(["score", "--model", stories_bin, "--tokenizer", tok, "--text", "x", "--precision", "fp8"], mentions=["fp8"])
    run(["devices", "--ptx", os.path.join(work, "ptx"), "--arch", "sm_80"], mentions=["--arch"])


sections = {"older": older_cases, "outputs": output_cases, "crashes": crash_cases, "memory": memory_cases, "hangs": hang_cases,
            "numbers": number_cases, "again": second_attack_cases, "devices": device_cases}
for name in (a.only.split(",") if a.only else sections):
    sections[name]()
shutil.rmtree(work, ignore_errors=True)
for share, wall, peak, args in sorted(timings, key=lambda t: t[0], reverse=True)[:a.slowest]:
    print(f"{wall:5.2f} s ({100 * share:3.0f}% of its bound) {peak:6.0f} MB", " ".join(x[:40] for x in args)[:200])
for failure in failures:
    print("FAILED:", failure[0], [arg[:80] for arg in failure[1]], *(failure[2:] or [[]]))
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
