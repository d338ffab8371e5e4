"""The learner's side of a run's key folder for a learner started by hand (`rlhf launch` writes the same
layout, docs/PROTOCOL.md section 8): `learner/learner.key` (its pair, 0600), `learner/learner.public`,
`learner/operator.public`, and `operator/operator.key` with `operator/learner.public`. Workers' keys are
then issued by the running learner (`rlhf keys issue --connect ENDPOINT --keys ROOT/operator`)."""

import os
from pathlib import Path

import zmq


def _write(path: Path, text: str, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as file:
        file.write(text)


def _pair_text(public: bytes, secret: bytes) -> str:
    return (f'#   ZeroMQ CURVE **Secret** key\ncurve\n    public-key = "{public.decode()}"\n'
            f'    secret-key = "{secret.decode()}"\n')


def _public_text(public: bytes) -> str:
    return f'#   ZeroMQ CURVE Public key\ncurve\n    public-key = "{public.decode()}"\n'


def make_learner_keys(root: Path) -> None:
    """Writes fresh learner and operator pairs into `root/learner` and `root/operator` (folders 0700)."""
    learner, operator = root / "learner", root / "operator"
    for folder in (root, learner, operator):
        folder.mkdir(mode=0o700, parents=True, exist_ok=folder == root)
    learner_public, learner_secret = zmq.curve_keypair()
    operator_public, operator_secret = zmq.curve_keypair()
    _write(learner / "learner.key", _pair_text(learner_public, learner_secret), 0o600)
    _write(learner / "learner.public", _public_text(learner_public), 0o644)
    _write(learner / "operator.public", _public_text(operator_public), 0o644)
    _write(operator / "operator.key", _pair_text(operator_public, operator_secret), 0o600)
    _write(operator / "learner.public", _public_text(learner_public), 0o644)
