"""The command line of a Python reward worker: the flags `rlhf worker` takes for the same job (`--connect`,
`--keys` with `--name`, or `--insecure`; `--device`, `--learner-timeout`, `--drain-seconds`,
`--connect-timeout`), checked before anything connects. Errors are one `error:` line on standard error:
status 2 for what the user gave, 3 when the run cannot go on (as `rlhf worker`)."""

import argparse
import importlib
import ipaddress
import logging
import re
import sys
from pathlib import Path
from typing import Callable, List, Optional, Type
from urllib.parse import urlsplit

from .errors import ClientError, RunEnded, UsageError
from .keys import ClientKeys
from .scoring import ScoreFunction
from .worker import EXIT_RUN_ENDED, RewardWorker

#: A key name as `rlhf launch` and `rlhf keys issue` write them (`reward-0`).
KEY_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}")


def parser(description: str) -> argparse.ArgumentParser:
    """The flags every Python reward worker takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--connect", required=True, metavar="ENDPOINT", help="the learner's endpoint, e.g. tcp://host:5555")
    p.add_argument("--keys", metavar="DIR", help="this worker's key folder (NAME.key and learner.public), as `rlhf keys issue` writes it")
    p.add_argument("--name", help="this worker's key name in --keys (its NAME.key), e.g. reward-1")
    p.add_argument("--insecure", action="store_true", help="plain tcp without CurveZMQ (a learner on loopback only)")
    p.add_argument("--device", default="cpu", help="what it says it runs on (logged by the learner)")
    p.add_argument("--learner-timeout", type=float, default=300.0, metavar="SECONDS",
                   help="stop with status 3 after this long without a word from the learner")
    p.add_argument("--drain-seconds", type=float, default=120.0, metavar="SECONDS",
                   help="after SIGTERM, how long to wait for the learner's stop while finishing the work held")
    p.add_argument("--connect-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="say the learner does not answer after this long without its welcome, and again each time as long again")
    return p


def check_endpoint(endpoint: str, insecure: bool) -> None:
    """A `tcp://HOST:PORT` (port 1-65535) or `ipc://PATH` endpoint; with --insecure, a loopback one."""
    if endpoint.startswith("ipc://") and len(endpoint) > len("ipc://"):
        return
    parts = urlsplit(endpoint)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "tcp" or not parts.hostname or port is None or not 1 <= port <= 65535 or parts.path:
        raise UsageError(f"--connect {endpoint[:200]}: expected tcp://HOST:PORT (port 1-65535) or ipc://PATH")
    if insecure and parts.hostname != "localhost":
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise UsageError(f"--insecure --connect {endpoint[:200]}: plain tcp without CurveZMQ reaches loopback only; other hosts need --keys")


def load_function(spec: str) -> ScoreFunction:
    """The callable `module:attribute` (attributes may be dotted) names."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"--function {spec[:200]}: expected module:callable, e.g. mypackage.rewards:score")
    try:
        target = importlib.import_module(module_name)
    except Exception as error:
        raise UsageError(f"--function {spec[:200]}: cannot import {module_name}: {type(error).__name__}: {error}") from None
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise UsageError(f"--function {spec[:200]}: {module_name} has no {attribute}")
        target = getattr(target, part)
    if not callable(target):
        raise UsageError(f"--function {spec[:200]}: {attribute} is not callable")
    return target


def run(args: argparse.Namespace, make_function: Callable[[], ScoreFunction], argv0: str,
        worker_class: Type[RewardWorker] = RewardWorker) -> int:
    """Checks `args`, makes the score function, and runs a `worker_class` worker; returns the exit status."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=f"%(asctime)s {argv0}: %(message)s")
    try:
        check_endpoint(args.connect, args.insecure)
        if (args.keys is None) == (not args.insecure):
            raise UsageError("pass --keys DIR with --name NAME (CurveZMQ) or --insecure" if not args.insecure
                             else "--insecure and --keys exclude each other")
        if args.keys is not None and (args.name is None or not KEY_NAME.fullmatch(args.name)):
            raise UsageError("--keys needs --name: the worker's key name, letters, digits, '-', '_' and '.' (not first)")
        for flag, value, low in (("--learner-timeout", args.learner_timeout, 1), ("--drain-seconds", args.drain_seconds, 0.001),
                                 ("--connect-timeout", args.connect_timeout, 0.1)):
            if not low <= value <= 86400:
                raise UsageError(f"{flag} must be between {low:g} and 86400 seconds")
        keys = ClientKeys.load(Path(args.keys), args.name) if args.keys is not None else None
        function = make_function()
        worker = worker_class(args.connect, keys, function, device=args.device, learner_timeout=args.learner_timeout,
                              drain_seconds=args.drain_seconds, connect_timeout=args.connect_timeout)
        return worker.run()
    except RunEnded as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_RUN_ENDED
    except ClientError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def main(argv: Optional[List[str]] = None) -> int:
    """`python -m rlhf_client --function module:callable ...`: a reward worker around any score function."""
    p = parser("A reward worker for an rlhf cluster around any Python score function: "
               "score(prompts: list[str], responses: list[str]) -> list[float].")
    p.add_argument("--function", required=True, metavar="MODULE:CALLABLE",
                   help="the score function, e.g. mypackage.rewards:score (its module is imported from sys.path)")
    args = p.parse_args(argv)
    return run(args, lambda: load_function(args.function), "rlhf_client")
