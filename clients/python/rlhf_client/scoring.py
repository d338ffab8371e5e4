"""The reward role: a SCORE_REQUEST's rows as text go to the user's score function, and its scores come
back as a SCORE_RESULT (one finite float32 per row), or the task as TASK_FAILED with a one-line reason.
A worker that registered with `Capabilities.score_texts` gets each row's prompt and response as the
policy's tokenizer decodes them (special tokens skipped), the text the Swift VADER reward scores."""

import math
import struct
import time
from typing import Callable, List, Sequence, Tuple

from google.protobuf.message import Message

from .errors import ScoreFunctionError
from .proto import work_pb2
from .wire import K, sequence_texts

#: What a user's reward function is: prompt texts and response texts (one of each per row) → one score per row.
ScoreFunction = Callable[[List[str], List[str]], Sequence[float]]
#: The longest TASK_FAILED reason sent (one line).
REASON_LIMIT = 1024


def float32(value: object, row: int) -> float:
    """`value` as the float32 the wire carries, refused unless it is a real number that stays finite."""
    if isinstance(value, (str, bytes, bytearray)):
        raise ScoreFunctionError(f"score {row} is {type(value).__name__} {value!r:.40}, not a number")
    try:
        number = float(value)
        narrowed = struct.unpack("<f", struct.pack("<f", number))[0]
    except (TypeError, ValueError, OverflowError) as error:
        raise ScoreFunctionError(f"score {row} ({type(value).__name__}) is not a float32: {error}") from None
    if not math.isfinite(narrowed):
        raise ScoreFunctionError(f"score {row} is {number!r}, which is not a finite float32")
    return narrowed


def checked_scores(scores: object, rows: int) -> List[float]:
    """One finite float32 per row from what the score function returned."""
    try:
        values = list(scores)
    except TypeError:
        raise ScoreFunctionError(f"the score function returned {type(scores).__name__}, not a sequence of {rows} scores") from None
    if len(values) != rows:
        raise ScoreFunctionError(f"the score function returned {len(values)} scores for {rows} rows")
    return [float32(value, row) for row, value in enumerate(values)]


def one_line(text: str) -> str:
    """`text` as one line of at most REASON_LIMIT characters (control characters escaped)."""
    line = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
    return line if len(line) <= REASON_LIMIT else line[:REASON_LIMIT - 3] + "..."


class Scorer:
    """Answers score requests with `function`. `answer` never raises: whatever goes wrong in the user's
    function becomes the task's TASK_FAILED, which the learner re-issues (3 in a row quarantine a worker)."""

    def __init__(self, function: ScoreFunction):
        self.function = function

    def texts(self, request: work_pb2.SequenceRequest) -> Tuple[List[str], List[str]]:
        """The request's prompt and response texts (checked by `wire.decode`); raises when it has none."""
        texts = sequence_texts(request)
        if texts is None:
            rows = len(request.query_lengths)
            if rows:
                raise ScoreFunctionError("the score request carries no texts (did the learner get Capabilities.score_texts?)")
            return [], []
        return texts

    def answer(self, request: work_pb2.SequenceRequest) -> Tuple[int, Message]:
        """The kind and body that answer `request`: SCORE_RESULT, or TASK_FAILED with the reason."""
        start = time.monotonic()
        try:
            prompts, responses = self.texts(request)
            scores = checked_scores(self.function(prompts, responses), len(responses))
        except ScoreFunctionError as error:
            return K.KIND_TASK_FAILED, work_pb2.TaskFailed(id=request.id, reason=one_line(str(error)))
        except Exception as error:  # the user's function: any failure fails the task, never the worker
            reason = f"the score function raised {type(error).__name__}: {error}"
            return K.KIND_TASK_FAILED, work_pb2.TaskFailed(id=request.id, reason=one_line(reason))
        result = work_pb2.ScoreResult(id=request.id, scores=scores, compute_seconds=max(0.0, time.monotonic() - start))
        return K.KIND_SCORE_RESULT, result
