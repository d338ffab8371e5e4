#!/usr/bin/env python3
"""Reference tokens and pooled embeddings of all-MiniLM-L6-v2 for a few fixed texts.

Computes, with sentence-transformers on CPU in float32 (one thread): the tokenizer's input_ids and
attention_mask padded to the longest text (right padding, pad id 0, [CLS] ... [SEP]); `mean`, the model's own
embedding (SentenceTransformer.encode, which runs the folder's modules.json pipeline, Normalize included);
`mean_unnormalized`, the mask-weighted mean of the last hidden state before Normalize; `last`, the last
hidden state at each row's last real token ([SEP]). Pooling results are checked against a direct computation.
Read by the Swift tests in Tests/ModelsTests.
Needs: the peer venv (../shared/peer/setup.sh) plus `pip install sentence-transformers==6.3.0`
       (torch 2.13.0+cpu, transformers 5.23.0, tokenizers 0.23.3).
Run:   ~/.cache/swift-rlhf-peer/venv/bin/python scripts/reference/minilm_pooling.py [--models DIR] [--out FILE]
Reads <models>/all-minilm-l6-v2; writes Tests/ModelsTests/minilm-pooling.json.
"""
import json
from importlib.metadata import version

import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Pooling

from _common import floats, parse_args, write_json

TEXTS = [
    "Hello",
    "The movie was wonderful.",
    "I did not like it at all; the plot made no sense!",
    "A cat sat on the mat.",
    "Reinforcement learning from human feedback fine-tunes a language model against a learned reward model.",
    "Why? Well... it's complicated, isn't it?",
]


def main():
    args = parse_args(__doc__.splitlines()[0], "Tests/ModelsTests/minilm-pooling.json")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    folder = args.models / "all-minilm-l6-v2"
    modules = [m["type"] for m in json.loads((folder / "modules.json").read_text())]
    model = SentenceTransformer(str(folder), device="cpu").eval()

    features = model.preprocess(TEXTS)   # tokenizer output padded to the longest, as encode() does
    ids, mask = features["input_ids"], features["attention_mask"]
    assert ids.dtype == torch.long and (ids[mask == 0] == 0).all() and (mask[:, 0] == 1).all()
    with torch.no_grad():
        hidden = model[0](dict(features))["token_embeddings"].float()           # [batch, tokens, 384]
        mean_pool = model[1](dict(features, token_embeddings=hidden))["sentence_embedding"]
        last_pool = Pooling(hidden.shape[-1], pooling_mode="lasttoken")(
            dict(features, token_embeddings=hidden))["sentence_embedding"]
    encoded = torch.from_numpy(model.encode(TEXTS, convert_to_numpy=True, batch_size=len(TEXTS)))

    # the same pooling straight from the hidden states
    m = mask.unsqueeze(-1).float()
    mean_direct = (hidden * m).sum(1) / m.sum(1)
    last_index = mask.sum(1) - 1                                                   # right padding
    assert (ids[torch.arange(len(TEXTS)), last_index] == 102).all(), "the last real token is [SEP]"
    last_direct = hidden[torch.arange(len(TEXTS)), last_index]
    torch.testing.assert_close(mean_pool, mean_direct, rtol=0, atol=1e-6)
    torch.testing.assert_close(last_pool, last_direct, rtol=0, atol=0)
    normalized = "sentence_transformers.models.Normalize" in modules
    expected = torch.nn.functional.normalize(mean_pool, dim=-1) if normalized else mean_pool
    torch.testing.assert_close(encoded, expected, rtol=0, atol=1e-6)

    write_json(args.out, {
        "model": "all-MiniLM-L6-v2",
        "texts": TEXTS,
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "mean": floats(encoded),
        "mean_normalized": normalized,
        "mean_unnormalized": floats(mean_pool),
        "last": floats(last_direct),
        "versions": {p: version(p) for p in ["sentence-transformers", "torch", "transformers", "tokenizers"]},
    })


if __name__ == "__main__":
    main()
