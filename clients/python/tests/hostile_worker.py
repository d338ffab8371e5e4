"""A hostile Python reward worker, for the learner's side of the hostile test: it registers and scores
like the VADER worker, but before each of its first `BAD_ANSWERS` answers it sends the learner garbage
(frames that are not protobuf, another protocol version, a kind workers do not send, the wrong frame
count, a result with a NaN score) and then answers with one score too many. The learner must drop and
count all of it, quarantine this worker after its third invalid answer, and train on the honest worker's
scores. When done it writes the counts of what it sent to `--report` (JSON) and keeps heartbeating until
the learner stops it.

    python hostile_worker.py --report FILE --connect ... --keys ... --name ...
"""

import json
import math
import sys
from pathlib import Path

from rlhf_client.cli import parser, run
from rlhf_client.proto import header_pb2, registration_pb2, work_pb2
from rlhf_client.vader_worker import vader_score_function
from rlhf_client.wire import K
from rlhf_client.worker import RewardWorker

BAD_ANSWERS = 3


def garbage(task_id: work_pb2.TaskId, worker_id: int):
    """The garbage sent before a bad answer: each list is one multipart message."""
    def header(kind: int, version: int = 1) -> bytes:
        return header_pb2.Header(protocol_version=version, kind=kind, worker_id=worker_id, sequence=1).SerializeToString()
    nan = work_pb2.ScoreResult(id=task_id, scores=[math.nan], compute_seconds=0).SerializeToString()
    return {
        "not_protobuf": [b"\xff\xfe\xfd garbage", b"\x00\x01"],
        "protocol_version": [header(K.KIND_SCORE_RESULT, version=2), b""],
        "wrong_kind": [header(K.KIND_WELCOME), registration_pb2.Welcome(worker_id=1).SerializeToString()],
        "frame_count": [header(K.KIND_SCORE_RESULT), nan, b"extra", b"frames"],
        "body_not_protobuf": [header(K.KIND_SCORE_RESULT), b"\xff\xff\xff\xff"],
        "nan_score": [header(K.KIND_SCORE_RESULT), nan],
    }


class HostileWorker(RewardWorker):
    """A reward worker whose first answers come with garbage and one score too many."""

    report: Path = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = {"invalid_answers": 0}

    def transmit(self, kind, body):
        if kind == K.KIND_SCORE_RESULT and self.sent["invalid_answers"] < BAD_ANSWERS:
            for reason, frames in garbage(body.id, self.session.number or 0).items():
                self.socket.send_multipart(frames)
                self.sent[reason] = self.sent.get(reason, 0) + 1
            body = work_pb2.ScoreResult(id=body.id, scores=list(body.scores) + [0.5], compute_seconds=body.compute_seconds)
            self.sent["invalid_answers"] += 1
            if self.sent["invalid_answers"] == BAD_ANSWERS:
                self.report.write_text(json.dumps(self.sent))
        super().transmit(kind, body)


def main() -> int:
    p = parser("A hostile reward worker (tests only).")
    p.add_argument("--report", required=True, type=Path, help="where the counts of what it sent go (JSON)")
    args = p.parse_args()
    HostileWorker.report = args.report
    return run(args, vader_score_function, "hostile_worker", worker_class=HostileWorker)


if __name__ == "__main__":
    sys.exit(main())
