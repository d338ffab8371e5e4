#!/usr/bin/env python3
"""Reference values of the SmolLM2-135M-Instruct Q4_1 GGUF in the places the Swift loader puts them.

Computes: selected rows/columns of the dequantized tensors (Q8_0 embedding, Q4_1 projections, F32 norms),
named by their Swift parameters: attn.qkv = attn_q rows | attn_k rows | attn_v rows, with q and k returned
from llama.cpp's interleaved rotary row order to Hugging Face's half-split order; mlp.gate_up = ffn_gate |
ffn_up. Read by Tests/ModelIOTests/GGUFSmolLM2Tests.swift.
Needs: the peer venv (../shared/peer/setup.sh) with gguf==0.19.0 and numpy.
Run:   ~/.cache/swift-rlhf-peer/venv/bin/python scripts/reference/gguf_smollm2_values.py [--models DIR] [--out FILE]
Reads <models>/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf; writes Tests/ModelIOTests/gguf-smollm2-values.json.
"""
from importlib.metadata import version

import gguf
import numpy as np

from _common import interleaved_to_half_split, parse_args, slices, write_json

HEADS, KV_HEADS = 9, 3

# (Swift parameter, row, [start, end) columns), in the order the Swift test checks them
CASES = [
    ("embed.tokens", 0, (0, 4)),
    ("embed.tokens", 49151, (572, 576)),
    ("layers.0.attn.qkv.weight", 1, (0, 3)),                 # q
    ("layers.0.attn.qkv.weight", 32, (0, 3)),
    ("layers.0.attn.qkv.weight", 575, (573, 576)),
    ("layers.0.attn.qkv.weight", 576 + 33, (0, 3)),          # k
    ("layers.0.attn.qkv.weight", 576 + 191, (0, 3)),
    ("layers.0.attn.qkv.weight", 576 + 192 + 5, (0, 3)),     # v
    ("layers.7.mlp.gate_up.weight", 7, (0, 3)),              # gate
    ("layers.7.mlp.gate_up.weight", 1536 + 7, (0, 3)),       # up
    ("layers.7.mlp.down.weight", 3, (1000, 1003)),
    ("layers.29.attn.out.weight", 10, (100, 103)),
    ("final_norm.weight", 0, (0, 4)),
    ("layers.29.attn_norm.weight", 0, (570, 576)),
]


def main():
    args = parse_args(__doc__.splitlines()[0], "Tests/ModelIOTests/gguf-smollm2-values.json")
    path = args.models / "smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    tensors = {t.name: t for t in gguf.GGUFReader(path).tensors}

    def tensor(name):
        t = tensors[name]
        # numpy shape is GGUF's dimensions reversed: (rows, columns)
        return gguf.quants.dequantize(t.data, t.tensor_type).reshape(tuple(reversed(t.shape.tolist())))

    def swift(name):
        layer, _, kind = name.removeprefix("layers.").partition(".")
        blk = f"blk.{layer}."
        if name == "embed.tokens":
            return tensor("token_embd.weight")
        if name == "final_norm.weight":
            return tensor("output_norm.weight")
        return {
            "attn_norm.weight": lambda: tensor(blk + "attn_norm.weight"),
            "mlp_norm.weight": lambda: tensor(blk + "ffn_norm.weight"),
            "attn.qkv.weight": lambda: np.concatenate([
                interleaved_to_half_split(tensor(blk + "attn_q.weight"), HEADS),
                interleaved_to_half_split(tensor(blk + "attn_k.weight"), KV_HEADS),
                tensor(blk + "attn_v.weight")]),
            "attn.out.weight": lambda: tensor(blk + "attn_output.weight"),
            "mlp.gate_up.weight": lambda: np.concatenate([tensor(blk + "ffn_gate.weight"), tensor(blk + "ffn_up.weight")]),
            "mlp.down.weight": lambda: tensor(blk + "ffn_down.weight"),
        }[kind]()

    cases = slices(swift, CASES)
    write_json(args.out, {
        "source": f"{path.name} dequantized by gguf {version('gguf')} (GGUFReader + gguf.quants.dequantize); "
                  "q and k rows in Hugging Face half-split order",
        "cases": cases,
    })


if __name__ == "__main__":
    main()
