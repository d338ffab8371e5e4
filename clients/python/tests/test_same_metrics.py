"""The Python reward worker in a real run (issue 21): the sentiment stories260K run (3 iterations, one
evaluation) as processes on loopback with CurveZMQ, once with the Swift VADER reward worker (`rlhf worker
--role reward`) and once with the Python one (`python -m rlhf_client.vader_worker`, its key from `rlhf keys
issue`), must write the same metrics.jsonl, bit for bit, wall-clock values aside. Then a hostile Python
worker (hostile_worker.py) joins first: garbage frames and answers with one score too many; the learner
must drop and count them, quarantine it, and train on an honest Python worker's scores to the same
numbers again. Exit status 0 when all holds; each failure is said in one line (and the logs are kept).

    python test_same_metrics.py --rlhf .build/release/rlhf --shared ../shared --models models
"""

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from cluster_run import STEP_SECONDS, RunFailed, run_cluster
from run_metrics import differences, read_metrics

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[2]


def environment(shared: Path, models: Path) -> dict:
    """The processes' environment: the run config's paths, and the client package on PYTHONPATH."""
    env = dict(os.environ, RLHF_SHARED=str(shared), RLHF_MODELS=str(models))
    paths = [str(HERE.parent), str(HERE)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in paths)
    return env


def start_hostile_then_honest(report: Path):
    """The hostile worker first, and the honest Python worker only once the hostile one has sent all its
    bad answers (so it surely got work), while the learner waits for a usable reward worker."""
    def start(run):
        hostile = run.start_python_worker([str(HERE / "hostile_worker.py"), "--report", str(report)])
        deadline = time.monotonic() + 2 * STEP_SECONDS
        while not report.exists():
            if hostile.poll() is not None or time.monotonic() > deadline:
                raise RunFailed(f"the hostile worker never sent its bad answers (status {hostile.poll()})")
            time.sleep(0.05)
        run.start_python_worker(["-m", "rlhf_client.vader_worker"])
    return start


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rlhf", required=True, type=Path, help="the rlhf binary")
    p.add_argument("--shared", required=True, type=Path, help="the shared data folder (../shared)")
    p.add_argument("--models", required=True, type=Path, help="the models folder (with vader/)")
    args = p.parse_args()
    rlhf, shared, models = args.rlhf.resolve(), args.shared.resolve(), args.models.resolve()
    for path, what in ((rlhf, "the rlhf binary"), (models / "vader" / "vader_lexicon.txt", "the VADER lexicon (make models)"),
                       (shared / "data" / "stories260K" / "stories260K.bin", "stories260K in the shared folder")):
        if not path.exists():
            print(f"FAIL: {what} is missing: {path}", file=sys.stderr)
            return 1
    config = REPOSITORY / "cluster" / "configs" / "sentiment-stories260k.yaml"
    env = environment(shared, models)
    root = Path(tempfile.mkdtemp(prefix="rlhf-python-worker-"))
    failures = []
    try:
        started = time.monotonic()
        swift = run_cluster(rlhf, config, root / "swift", env, lambda run: run.start_swift_worker("reward"))
        python = run_cluster(rlhf, config, root / "python", env, lambda run: run.start_python_worker(["-m", "rlhf_client.vader_worker"]))
        expected, got = read_metrics(swift), read_metrics(python)
        values = sum(len(row) for row in expected)
        failures += [f"python run: {d}" for d in differences(expected, got)]
        print(f"the Swift and Python reward workers' runs: {len(expected)} lines, {values} values compared bit for bit "
              f"({'equal' if not failures else 'DIFFERENT'}; {time.monotonic() - started:.1f} s)")
        if not expected or values < 10 * len(expected):
            failures.append(f"the Swift run wrote only {len(expected)} lines of {values} values")
        python_tasks = max(json.loads(line).get("cluster/worker/reward-0/tasks", 0)
                           for line in (python / "metrics.jsonl").read_text().splitlines())
        if python_tasks < 1:
            failures.append("python run: the Python reward worker (reward-0) answered no task")

        started = time.monotonic()
        report = root / "hostile.json"
        hostile = run_cluster(rlhf, config, root / "hostile", env, start_hostile_then_honest(report))
        sent = json.loads(report.read_text())
        counters = read_metrics(hostile)
        trained = [f"hostile run: {d}" for d in differences(expected, counters, keys=lambda k: not k.startswith("cluster/"))]
        failures += trained
        def last(key):
            return max(float(row.get(key, "0")) for row in counters)
        # every garbage message refused by its reason (counted over the learner's life), none taken
        refusals = {"malformed": sent["not_protobuf"] + sent["frame_count"] + sent["body_not_protobuf"] + sent["nan_score"],
                    "protocol_version": sent["protocol_version"], "wrong_kind": sent["wrong_kind"]}
        for reason, wanted in refusals.items():
            if last(f"cluster/refused/{reason}") != wanted:
                failures.append(f"hostile run: cluster/refused/{reason} is {last(f'cluster/refused/{reason}'):g}; "
                                f"the hostile worker sent {wanted} such messages")
        # its answers with one score too many are invalid results: three in a row quarantine it
        if last("cluster/quarantined") != 1:
            failures.append(f"hostile run: cluster/quarantined is {last('cluster/quarantined'):g}; expected 1")
        log = (root / "hostile" / "learner.log").read_text(errors="replace")
        if not re.search(r"quarantined reward#0: 3 faults in a row; last: an invalid reward result: .* scores for \d+ rows", log):
            failures.append("hostile run: the learner's log does not say it quarantined reward#0 for invalid results")
        refused = sum(last(f"cluster/refused/{reason}") for reason in refusals)
        print(f"the hostile worker's run: {sum(len(r) for r in counters)} values, training values equal to the Swift run's "
              f"({'yes' if not trained else 'NO'}); sent {sent}, learner refused {refused:g}; {time.monotonic() - started:.1f} s")
    except RunFailed as error:
        failures.append(str(error))
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if failures:
        print(f"the runs' logs are kept in {root}", file=sys.stderr)
        return 1
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
