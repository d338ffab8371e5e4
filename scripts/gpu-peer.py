#!/usr/bin/env python3
"""The PyTorch side of scripts/gpu-check.sh, on the same GPU: a GPT-2 small training step in bf16 autocast
(eager, AdamW, random weights) and SmolLM2-135M-shaped generation with transformers' `generate` (sampling,
exactly --new-tokens tokens, KV cache). One JSON line per case: median seconds, tokens/s, and for training the
model FLOPs utilisation against the GPU's dense bf16 peak.

  python3 scripts/gpu-peer.py --case train --batch 16 --seq 1024 --runs 3
  python3 scripts/gpu-peer.py --case generate --batch 64 --prompt-len 16 --new-tokens 48 --runs 3
"""
import argparse, json, statistics, sys, time

import torch

# dense bf16 tensor-core peaks (FLOP/s) of the GPUs the project is lent; others report MFU as null
PEAK_BF16 = {"H100": 989e12, "H200": 989e12, "A100": 312e12}


def peak_flops():
    name = torch.cuda.get_device_name(0)
    return next((v for k, v in PEAK_BF16.items() if k in name), None), name


def timed(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def train(args):
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(0)
    config = GPT2Config(n_layer=12, n_embd=768, n_head=12, vocab_size=50257, n_positions=1024,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(config).cuda().train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    ids = torch.randint(0, config.vocab_size, (args.batch, args.seq), device="cuda")

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    median, times = timed(step, args.warmup, args.runs)
    tokens = args.batch * args.seq
    parameters = sum(p.numel() for p in model.parameters())
    # 6 N per token for the dense products plus 12 L T C for attention (PaLM's accounting)
    flops = tokens * (6 * parameters + 12 * config.n_layer * args.seq * config.n_embd)
    peak, name = peak_flops()
    return dict(case="train", peer="pytorch-eager-bf16-autocast", gpu=name, batch=args.batch, seq=args.seq,
                median_s=median, times=times, tokens_per_s=tokens / median,
                mfu=(flops / median / peak) if peak else None)


def generate(args):
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    config = LlamaConfig(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                         num_key_value_heads=3, vocab_size=49152, max_position_embeddings=8192, rope_theta=100000.0,
                         rms_norm_eps=1e-5, tie_word_embeddings=True)
    model = LlamaForCausalLM(config).cuda().eval()
    ids = torch.randint(0, config.vocab_size, (args.batch, args.prompt_len), device="cuda")

    def run():
        with torch.no_grad():
            model.generate(ids, do_sample=True, top_k=0, top_p=1.0, max_new_tokens=args.new_tokens,
                           min_new_tokens=args.new_tokens, pad_token_id=0)

    median, times = timed(run, args.warmup, args.runs)
    bytes_per_step = sum(p.numel() for p in model.parameters()) * 4
    return dict(case="generate", peer="transformers-generate-fp32", gpu=torch.cuda.get_device_name(0), batch=args.batch,
                median_s=median, times=times, tokens_per_s=args.batch * args.new_tokens / median,
                weight_bytes_per_step=bytes_per_step)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", choices=["train", "generate"], required=True)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--prompt-len", type=int, default=16)
    ap.add_argument("--new-tokens", type=int, default=48)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("gpu-peer: PyTorch sees no CUDA device")
    print(json.dumps(train(args) if args.case == "train" else generate(args)))


if __name__ == "__main__":
    main()
