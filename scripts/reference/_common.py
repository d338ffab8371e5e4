"""Shared helpers for the reference scripts: repository paths and JSON output."""
import argparse
import json
import os
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]


def parse_args(description, default_out):
    """--models / --shared / --out, defaulting like TestSupport/TestPaths.swift (RLHF_MODELS, RLHF_SHARED)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--models", type=Path, default=Path(os.environ.get("RLHF_MODELS", REPO / "models")))
    p.add_argument("--shared", type=Path, default=Path(os.environ.get("RLHF_SHARED", REPO.parent / "shared")))
    p.add_argument("--out", type=Path, default=REPO / default_out)
    return p.parse_args()


def floats(array):
    """A float32 array as a (nested) list of Python floats that repr every float32 exactly."""
    return np.asarray(array, dtype=np.float32).astype(np.float64).tolist()


def to_json(obj, indent=""):
    """Pretty JSON with sorted keys; a list of numbers (or strings, booleans) stays on one line."""
    inner = indent + "  "
    if isinstance(obj, dict):
        items = [f"{inner}{json.dumps(k)}: {to_json(obj[k], inner)}" for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}" if items else "{}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        return "[\n" + ",\n".join(inner + to_json(v, inner) for v in obj) + f"\n{indent}]"
    return json.dumps(obj, allow_nan=False)


def write_json(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_json(obj) + "\n")
    assert json.loads(path.read_text()) == obj
    print(f"wrote {path}")


def interleaved_to_half_split(w, heads):
    """Undo the per-head q/k row permutation of llama.cpp's convert_hf_to_gguf.py `LlamaModel.permute`
    (`w.reshape(heads, 2, D/2, C).swapaxes(1, 2)`: interleaved row 2i+j of a head is half-split row j*D/2+i).
    llama2.c's export writes the same interleaved (Meta) order, which Hugging Face's
    convert_llama_weights_to_hf.py `permute` maps back the same way."""
    rows, cols = w.shape
    return w.reshape(heads, rows // heads // 2, 2, cols).swapaxes(1, 2).reshape(rows, cols)



def slices(tensor_of, cases):
    """The JSON cases: for each (Swift name, row, (start, end)), tensor_of(name)[row][start:end] (a 1-D
    tensor's row is 0, the vector itself)."""
    out = []
    for name, row, (start, end) in cases:
        w = tensor_of(name)
        values = w[start:end] if w.ndim == 1 else w[row, start:end]
        out.append({"name": name, "row": row, "columns": [start, end], "values": floats(values)})
    return out
