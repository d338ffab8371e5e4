"""A Python reward worker for swift-rlhf clusters: it speaks the cluster's wire protocol
(docs/PROTOCOL.md) over ZeroMQ with CurveZMQ, registers as a reward worker that scores text, and answers
each score request with a user function `score(prompts: list[str], responses: list[str]) -> list[float]`.

    from rlhf_client import RewardWorker, ClientKeys
    RewardWorker("tcp://host:5555", ClientKeys.load("keys/reward-1", "reward-1"), score).run()
"""

from .errors import ClientError, KeyFileError, RunEnded, ScoreFunctionError, UsageError, WireError
from .keys import ClientKeys
from .scoring import ScoreFunction, Scorer
from .worker import RewardWorker

__all__ = ["ClientError", "ClientKeys", "KeyFileError", "RewardWorker", "RunEnded", "ScoreFunction", "ScoreFunctionError",
           "Scorer", "UsageError", "WireError"]
