"""One PPO run on loopback as real processes: `rlhf learner` with CurveZMQ keys, then each worker's key
issued by the running learner (`rlhf keys issue`) and the worker started with it: `rlhf worker` for the
rollout and reference roles, and a reward worker given as a command (the Swift one, or a Python one)."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

from learner_keys import make_learner_keys

#: The run: cluster/configs/sentiment-stories260k.yaml, cut to a few iterations with an evaluation.
SETTINGS = ["iterations=3", "eval_every=2", "save_every=0"]
#: Hang guards, far above what the steps take here (a run takes about 15 s).
LEARNER_SECONDS, STEP_SECONDS = 240, 60


class RunFailed(Exception):
    """A step of the run did not do what it must; the message names it and ends with its log's tail."""


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, for a failure's message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class ClusterRun:
    """A learner and its workers under `root` (`keys/`, `output/`, one log per process)."""

    def __init__(self, rlhf: Path, config: Path, root: Path, environment: Dict[str, str]):
        self.rlhf, self.config, self.root, self.environment = rlhf, config, root, environment
        self.keys, self.output = root / "keys", root / "output"
        self.processes: List[subprocess.Popen] = []
        self.logs: Dict[int, Path] = {}
        self.endpoint = ""

    def start(self, name: str, command: List[str]) -> subprocess.Popen:
        """Starts `command` with its output in `root/NAME.log`."""
        log = self.root / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=self.environment, cwd=self.root)
        self.processes.append(process)
        self.logs[process.pid] = log
        return process

    def start_learner(self) -> subprocess.Popen:
        """`rlhf learner` with fresh keys, bound to a free loopback port; returns once it listens."""
        make_learner_keys(self.keys)
        sets = [arg for setting in SETTINGS for arg in ("--set", setting)]
        learner = self.start("learner", [str(self.rlhf), "learner", "--config", str(self.config), *sets, "--output", str(self.output),
                                         "--bind", "tcp://127.0.0.1:0", "--keys", str(self.keys / "learner")])
        endpoint_file = self.output / "learner.endpoint"
        deadline = time.monotonic() + STEP_SECONDS
        while not endpoint_file.exists():
            if learner.poll() is not None or time.monotonic() > deadline:
                raise RunFailed(f"the learner never listened (status {learner.poll()}):\n{tail(self.logs[learner.pid])}")
            time.sleep(0.02)
        self.endpoint = endpoint_file.read_text().strip()
        return learner

    def issue(self, role: str) -> Dict[str, str]:
        """A key for one more `role` worker, issued by the running learner: its name and folder."""
        done = subprocess.run([str(self.rlhf), "keys", "issue", "--connect", self.endpoint, "--keys", str(self.keys / "operator"),
                               "--output", str(self.keys), "--role", role], capture_output=True, text=True, env=self.environment,
                              timeout=STEP_SECONDS)
        found = re.match(r"issued (\S+): its keys are in (\S+);", done.stdout)
        if done.returncode != 0 or not found:
            raise RunFailed(f"rlhf keys issue --role {role} failed (status {done.returncode}): {done.stdout}{done.stderr}")
        return {"name": found.group(1), "folder": found.group(2)}

    def start_swift_worker(self, role: str) -> subprocess.Popen:
        """`rlhf worker --role ROLE` with a key issued for it."""
        key = self.issue(role)
        return self.start(key["name"], [str(self.rlhf), "worker", "--role", role, "--connect", self.endpoint,
                                        "--keys", key["folder"], "--name", key["name"]])

    def start_python_worker(self, arguments: List[str]) -> subprocess.Popen:
        """`python ARGUMENTS... --connect ... --keys ... --name ...` (e.g. `-m rlhf_client.vader_worker`) with a
        reward key issued for it."""
        key = self.issue("reward")
        return self.start(key["name"] + "-python", [sys.executable, *arguments, "--connect", self.endpoint,
                                                    "--keys", key["folder"], "--name", key["name"]])

    def finish(self, learner: subprocess.Popen) -> None:
        """Waits for the learner and then every worker to exit 0 (the learner stops them at the end)."""
        try:
            status = learner.wait(timeout=LEARNER_SECONDS)
        except subprocess.TimeoutExpired:
            raise RunFailed(f"the learner did not finish in {LEARNER_SECONDS} s:\n{tail(self.logs[learner.pid])}") from None
        if status != 0:
            raise RunFailed(f"the learner exited with status {status}:\n{tail(self.logs[learner.pid])}")
        for process in self.processes:
            try:
                status = process.wait(timeout=STEP_SECONDS)
            except subprocess.TimeoutExpired:
                raise RunFailed(f"{' '.join(map(str, process.args[:4]))} did not stop with the run:\n{tail(self.logs[process.pid])}") from None
            if status != 0:
                raise RunFailed(f"{' '.join(map(str, process.args[:4]))} exited with status {status}:\n{tail(self.logs[process.pid])}")

    def kill_all(self) -> None:
        """Kills what is still running (after a failure)."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def run_cluster(rlhf: Path, config: Path, root: Path, environment: Dict[str, str],
                start_rewards: Callable[[ClusterRun], None]) -> Path:
    """One whole run: the learner, two rollout workers and a reference worker, and the reward workers
    `start_rewards` starts; returns the run's output folder once every process exited 0."""
    root.mkdir(parents=True)
    run = ClusterRun(rlhf, config, root, environment)
    try:
        learner = run.start_learner()
        for role in ("rollout", "rollout", "reference"):
            run.start_swift_worker(role)
        start_rewards(run)
        run.finish(learner)
    finally:
        run.kill_all()
    return run.output
