"""A worker's CurveZMQ keys, as `rlhf keys issue`, `rlhf scale` and `rlhf launch` write them
(docs/PROTOCOL.md section 8): the folder `keys/NAME/` holds `NAME.key` (the worker's pair, mode 0600) and
`learner.public` (the learner's public key). Both are czmq `zcert` text: `#` comments, a `curve` section,
and indented `public-key = "..."` / `secret-key = "..."` lines with 40 characters of Z85 each."""

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

from .errors import KeyFileError

#: The largest key file read (a key file is a few hundred bytes).
MAX_KEY_FILE_BYTES = 64 * 1024
#: Z85's alphabet (ZeroMQ RFC 32).
Z85_ALPHABET = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")


@dataclass(frozen=True)
class ClientKeys:
    """A worker's side of CurveZMQ: its own pair and the learner's public key, each as 40 Z85 bytes."""

    public_key: bytes
    secret_key: bytes
    server_key: bytes

    @classmethod
    def load(cls, folder: os.PathLike, name: str) -> "ClientKeys":
        """Worker `name`'s keys from its folder: `NAME.key` and `learner.public`."""
        folder = Path(folder)
        public, secret = read_key_file(folder / f"{name}.key")
        if secret is None:
            raise KeyFileError(f"key file {folder / (name + '.key')} has no secret-key line")
        server, _ = read_key_file(folder / "learner.public")
        return cls(public_key=public, secret_key=secret, server_key=server)


def read_key_file(path: os.PathLike) -> Tuple[bytes, Optional[bytes]]:
    """The public key of a key file and its secret key (None in a public file). Refuses what is not a
    regular file, a file over 64 KiB, a key that is not 40 characters of Z85, a file without a public
    key, and a secret file that group or others may read."""
    path = str(path)
    try:
        # O_NONBLOCK: a FIFO put where a key file goes is refused below instead of waited on
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as error:
        raise KeyFileError(f"cannot read key file {path}: {error.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"{path}: not a regular file")
        if info.st_size > MAX_KEY_FILE_BYTES:
            raise KeyFileError(f"{path}: {info.st_size} bytes is too large for a key file")
        data = b""
        while len(data) < info.st_size:
            chunk = os.read(fd, info.st_size - len(data))
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    keys = {}
    for number, raw in enumerate(data.decode("utf-8", errors="replace").split("\n"), start=1):
        line = raw.strip(" \t\r")
        if not line or line.startswith("#") or "=" not in line:
            continue  # a comment, or a section name (`curve`, `metadata`)
        name, value = (part.strip(" \t\r") for part in line.split("=", 1))
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            value = value[1:-1]
        if name not in ("public-key", "secret-key"):
            continue
        if len(value) != 40 or not set(value) <= Z85_ALPHABET:
            raise KeyFileError(f"{path}:{number}: {name} is not 40 characters of Z85")
        keys[name] = value.encode("ascii")
    if "public-key" not in keys:
        raise KeyFileError(f"key file {path} has no public-key line")
    if "secret-key" in keys and info.st_mode & 0o077:
        raise KeyFileError(f"key file {path} holds a secret key but has mode {stat.S_IMODE(info.st_mode):o}; run chmod 600 {path}")
    return keys["public-key"], keys.get("secret-key")
