"""The SHA-256 digest of a run config that a WELCOME carries (docs/PROTOCOL.md section 4): the config's
text, then each `--set` override in order, each part as its UTF-8 bytes prefixed with their count as 8
big-endian bytes. A worker checks the text it was sent against it before it works."""

import hashlib
from typing import Sequence


def run_config_digest(text: str, overrides: Sequence[str]) -> bytes:
    """The 32-byte digest of `text` with `overrides`."""
    hasher = hashlib.sha256()
    for part in [text, *overrides]:
        data = part.encode("utf-8")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.digest()
