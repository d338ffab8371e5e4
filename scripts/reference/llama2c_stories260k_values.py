#!/usr/bin/env python3
"""Reference values of the llama2.c stories260K checkpoint in the places the Swift loader puts them.

Computes: selected rows/columns of the float32 weights, read with numpy straight from the legacy llama2.c
.bin (header of 7 int32, then the tensors kind by kind for all layers), named by their Swift parameters:
attn.qkv = wq rows | wk rows | wv rows, with wq and wk taken from llama2.c's interleaved rotary order
(pairs 2i, 2i+1) to Hugging Face's half-split order (convert_llama_weights_to_hf.py `permute`);
mlp.gate_up = w1 | w3; mlp.down = w2; attn.out = wo. Read by Tests/ModelIOTests/Llama2cCheckpointTests.swift.
Needs: numpy (any recent version; the peer venv from ../shared/peer/setup.sh has it).
Run:   ~/.cache/swift-rlhf-peer/venv/bin/python scripts/reference/llama2c_stories260k_values.py [--shared DIR] [--out FILE]
Reads <shared>/data/stories260K/stories260K.bin; writes Tests/ModelIOTests/llama2c-stories260k-values.json.
"""
import numpy as np

from _common import interleaved_to_half_split, parse_args, slices, write_json

# (Swift parameter, row, [start, end) columns), in the order the Swift test checks them
CASES = [
    ("embed.tokens", 511, (60, 64)),
    ("layers.3.attn_norm.weight", 0, (0, 3)),
    ("layers.0.attn.qkv.weight", 1, (0, 3)),            # q
    ("layers.0.attn.qkv.weight", 4, (0, 3)),
    ("layers.0.attn.qkv.weight", 63, (61, 64)),
    ("layers.2.attn.qkv.weight", 64 + 5, (0, 3)),       # k
    ("layers.2.attn.qkv.weight", 64 + 31, (0, 3)),
    ("layers.4.attn.qkv.weight", 96 + 7, (0, 3)),       # v
    ("layers.1.attn.out.weight", 2, (10, 13)),
    ("layers.4.mlp.gate_up.weight", 171, (0, 3)),       # w1 (gate)
    ("layers.4.mlp.gate_up.weight", 172 + 171, (0, 3)), # w3 (up)
    ("layers.0.mlp.down.weight", 63, (169, 172)),
    ("layers.1.mlp_norm.weight", 0, (0, 3)),
    ("final_norm.weight", 0, (0, 3)),
]


def read_checkpoint(path):
    """The llama2.c tensors by their run.c names, each [layers, rows, columns] (or smaller)."""
    raw = np.fromfile(path, dtype="<i4", count=7)
    dim, hidden, layers, heads, kv_heads, vocab, seq_len = (int(v) for v in raw)
    shared, vocab = vocab > 0, abs(vocab)
    head_dim = dim // heads
    kv_dim = kv_heads * head_dim
    data = np.fromfile(path, dtype="<f4", offset=28)
    shapes = [("token_embedding", (vocab, dim)), ("rms_att", (layers, dim)), ("wq", (layers, dim, dim)),
              ("wk", (layers, kv_dim, dim)), ("wv", (layers, kv_dim, dim)), ("wo", (layers, dim, dim)),
              ("rms_ffn", (layers, dim)), ("w1", (layers, hidden, dim)), ("w2", (layers, dim, hidden)),
              ("w3", (layers, hidden, dim)), ("rms_final", (dim,)), ("freq_cis_real", (seq_len, head_dim // 2)),
              ("freq_cis_imag", (seq_len, head_dim // 2))] + ([] if shared else [("wcls", (vocab, dim))])
    tensors, at = {}, 0
    for name, shape in shapes:
        count = int(np.prod(shape))
        tensors[name] = data[at:at + count].reshape(shape)
        at += count
    assert at == data.size, f"{data.size - at} floats left over: not a legacy llama2.c checkpoint"
    return tensors, heads, kv_heads


def main():
    args = parse_args(__doc__.splitlines()[0], "Tests/ModelIOTests/llama2c-stories260k-values.json")
    path = args.shared / "data/stories260K/stories260K.bin"
    t, heads, kv_heads = read_checkpoint(path)

    def swift(name):
        if name == "embed.tokens":
            return t["token_embedding"]
        if name == "final_norm.weight":
            return t["rms_final"]
        layer, _, kind = name.removeprefix("layers.").partition(".")
        l = int(layer)
        return {
            "attn_norm.weight": lambda: t["rms_att"][l],
            "mlp_norm.weight": lambda: t["rms_ffn"][l],
            "attn.qkv.weight": lambda: np.concatenate([interleaved_to_half_split(t["wq"][l], heads),
                                                       interleaved_to_half_split(t["wk"][l], kv_heads), t["wv"][l]]),
            "attn.out.weight": lambda: t["wo"][l],
            "mlp.gate_up.weight": lambda: np.concatenate([t["w1"][l], t["w3"][l]]),
            "mlp.down.weight": lambda: t["w2"][l],
        }[kind]()

    cases = slices(swift, CASES)
    write_json(args.out, {
        "source": f"{path.name} (karpathy/llama2.c, legacy version 0 export) read with numpy {np.__version__}; "
                  "q and k rows in Hugging Face half-split order",
        "cases": cases,
    })


if __name__ == "__main__":
    main()
