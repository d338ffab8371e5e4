"""Shared by the developer checks: find and run the rlhf binary; load a Hugging Face folder with
transformers and keep every warning.

Not part of `make test`; imported by scripts/check_hf_roundtrip.py and scripts/check_reward_roundtrip.py.
"""
import logging
import os
import subprocess
import sys
import warnings

import transformers


class Captured(logging.Handler):
    """Collects the warnings transformers logs."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


def load_with_warnings(auto_class, folder):
    """`auto_class.from_pretrained(folder)` in eval mode, its loading info, and every warning logged or raised."""
    # warning_once/info_once cache their messages process-wide: clear them so every load reports its own.
    transformers.utils.logging.warning_once.cache_clear()
    transformers.utils.logging.info_once.cache_clear()
    handler = Captured()
    logger = logging.getLogger("transformers")
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    transformers.logging.set_verbosity_warning()
    transformers.logging.disable_default_handler()
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        model, info = auto_class.from_pretrained(folder, output_loading_info=True)
    logger.removeHandler(handler)
    logger.propagate = propagate
    return model.eval(), info, handler.records + [str(w.message) for w in raised]


def rlhf_binary(path, root):
    """The rlhf binary: `path`, or the one `swift build -c release` puts in its bin folder under `root`."""
    if path is None:
        result = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=root,
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit("cannot find the build folder: " + result.stderr.strip())
        path = os.path.join(result.stdout.strip(), "rlhf")
    if not os.access(path, os.X_OK):
        sys.exit(f"no rlhf binary at {path}: run `make build` or pass --rlhf")
    return path


def run(command):
    """`command`'s standard output; exits with its output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command[:4])} ... failed ({result.returncode}):\n{result.stdout[-4000:]}{result.stderr[-4000:]}")
    return result.stdout
