"""Messages to and from the frames of one ZeroMQ multipart message (docs/PROTOCOL.md sections 2 and 3):
frame 0 is a `Header` (protocol version 1, kind, worker id, sequence from 1), frame 1 the body of that
kind (protobuf; empty for HEARTBEAT), frame 2 a weight chunk's raw bytes. `decode` checks what a broken
or hostile learner could send and raises `WireError` for it, naming the frame or field."""

import math
from dataclasses import dataclass
from typing import List, Optional, Sequence

from google.protobuf.message import DecodeError, Message

from .errors import WireError
from .proto import control_pb2, header_pb2, heartbeat_pb2, metrics_pb2, operator_pb2, registration_pb2, weights_pb2, work_pb2

PROTOCOL_VERSION = 1
#: Most bytes of a header frame, a body frame and a weight chunk's payload frame.
HEADER_LIMIT = 64 << 10
BODY_LIMIT = 64 << 20
CHUNK_LIMIT = 4 << 20
#: Most rows in one task or result.
ROW_LIMIT = 1 << 16
#: Most bytes of `Welcome.config_digest`, of `Welcome.run_config`, and most `config_overrides`.
DIGEST_LIMIT = 64
CONFIG_LIMIT = 1 << 20
OVERRIDES_LIMIT = 4096
#: The lowest task iteration (evaluation rounds are -1 - the policy version).
LOWEST_ITERATION = -(1 << 40)

K = header_pb2.Kind
#: Each kind's body type.
BODIES = {
    K.KIND_REGISTER: registration_pb2.Register,
    K.KIND_WELCOME: registration_pb2.Welcome,
    K.KIND_HEARTBEAT: heartbeat_pb2.Heartbeat,
    K.KIND_READY: work_pb2.Ready,
    K.KIND_ROLLOUT_TASK: work_pb2.RolloutTask,
    K.KIND_ROLLOUT: work_pb2.Rollout,
    K.KIND_SCORE_REQUEST: work_pb2.SequenceRequest,
    K.KIND_SCORE_RESULT: work_pb2.ScoreResult,
    K.KIND_REFERENCE_REQUEST: work_pb2.SequenceRequest,
    K.KIND_REFERENCE_RESULT: work_pb2.ReferenceResult,
    K.KIND_WEIGHTS_MANIFEST: weights_pb2.WeightsManifest,
    K.KIND_WEIGHTS_CHUNK: weights_pb2.WeightsChunk,
    K.KIND_WEIGHTS_REQUEST: weights_pb2.WeightsRequest,
    K.KIND_WEIGHTS_INSTALLED: weights_pb2.WeightsInstalled,
    K.KIND_WEIGHTS_REFUSED: weights_pb2.WeightsRefused,
    K.KIND_TASK_FAILED: work_pb2.TaskFailed,
    K.KIND_CONTROL: control_pb2.Control,
    K.KIND_METRICS: metrics_pb2.Metrics,
    K.KIND_OPERATOR_REQUEST: operator_pb2.OperatorRequest,
    K.KIND_OPERATOR_ANSWER: operator_pb2.OperatorAnswer,
    K.KIND_MONITOR_UPDATE: operator_pb2.MonitorUpdate,
}
#: The kinds the learner sends (a worker drops any other from it).
FROM_LEARNER = frozenset({
    K.KIND_WELCOME, K.KIND_HEARTBEAT, K.KIND_ROLLOUT_TASK, K.KIND_SCORE_REQUEST, K.KIND_REFERENCE_REQUEST,
    K.KIND_WEIGHTS_MANIFEST, K.KIND_WEIGHTS_CHUNK, K.KIND_CONTROL, K.KIND_METRICS, K.KIND_OPERATOR_ANSWER,
    K.KIND_MONITOR_UPDATE,
})


def kind_name(kind: int) -> str:
    """PROTOCOL.md's name of `kind` (`SCORE_REQUEST`)."""
    try:
        return header_pb2.Kind.Name(kind)[len("KIND_"):]
    except ValueError:
        return f"kind {kind}"


@dataclass
class Envelope:
    """A decoded message from the learner: its header's fields, its body, a weight chunk's payload."""

    kind: int
    worker_id: int
    sequence: int
    body: Message
    payload: Optional[bytes] = None


def encode(kind: int, body: Message, worker_id: int, sequence: int) -> List[bytes]:
    """The frames of a worker's message: header and body (a worker sends no weight chunks)."""
    if sequence < 1:
        raise WireError(f"Header.sequence is {sequence}; sequences start at 1")
    header = header_pb2.Header(protocol_version=PROTOCOL_VERSION, kind=kind, worker_id=worker_id, sequence=sequence)
    data = body.SerializeToString()
    if len(data) > BODY_LIMIT:
        raise WireError(f"frame 1 holds {len(data)} bytes, over its limit of {BODY_LIMIT}")
    return [header.SerializeToString(), data]


def decode(frames: Sequence[bytes]) -> Envelope:
    """The message the learner sent in `frames`, checked in this order: a header frame within its limit
    that parses, speaks version 1, names a known kind the learner sends, with a sequence >= 1; the frame
    count the kind needs (3 for WEIGHTS_CHUNK, else 2); the body within its limit, parsed and checked."""
    if not frames:
        raise WireError("a message has 0 frames; it needs 2")
    if len(frames[0]) > HEADER_LIMIT:
        raise WireError(f"frame 0 holds {len(frames[0])} bytes, over its limit of {HEADER_LIMIT}")
    header = _parse(header_pb2.Header, frames[0], "header")
    if header.protocol_version != PROTOCOL_VERSION:
        raise WireError(f"protocol version {header.protocol_version}; this client speaks {PROTOCOL_VERSION}")
    if header.kind not in BODIES:
        raise WireError(f"unknown message kind {header.kind}")
    if header.kind not in FROM_LEARNER:
        raise WireError(f"a learner does not send {kind_name(header.kind)}")
    if header.sequence < 1:
        raise WireError("Header.sequence is 0; it must be >= 1")
    needed = 3 if header.kind == K.KIND_WEIGHTS_CHUNK else 2
    if len(frames) != needed:
        raise WireError(f"a {kind_name(header.kind)} message has {len(frames)} frames; it needs {needed}")
    if len(frames[1]) > BODY_LIMIT:
        raise WireError(f"frame 1 holds {len(frames[1])} bytes, over its limit of {BODY_LIMIT}")
    payload = None
    if needed == 3:
        if len(frames[2]) > CHUNK_LIMIT:
            raise WireError(f"frame 2 holds {len(frames[2])} bytes, over its limit of {CHUNK_LIMIT}")
        if not frames[2]:
            raise WireError("a WEIGHTS_CHUNK has an empty payload")
        payload = bytes(frames[2])
    body = _parse(BODIES[header.kind], frames[1], f"{kind_name(header.kind)} body")
    CHECKS.get(header.kind, lambda _: None)(body)
    return Envelope(header.kind, header.worker_id, header.sequence, body, payload)


def _parse(message_type, data: bytes, part: str) -> Message:
    message = message_type()
    try:
        message.ParseFromString(bytes(data))
    except (DecodeError, RuntimeWarning, ValueError) as error:
        raise WireError(f"the {part} does not parse as protobuf: {error}") from None
    return message


def check_task_id(message: Message, field: str) -> None:
    """A task id that is present, with an index >= 0 and an iteration >= -2^40."""
    if not message.HasField("id"):
        raise WireError(f"{field}.id is missing")
    if message.id.index < 0:
        raise WireError(f"{field}.id.index is {message.id.index}; it must be >= 0")
    if message.id.iteration < LOWEST_ITERATION:
        raise WireError(f"{field}.id.iteration is {message.id.iteration}; it must be >= {LOWEST_ITERATION}")


def check_lengths(count: int, lengths: Sequence[int], values_field: str, lengths_field: str) -> None:
    """At most 65,536 row lengths, each >= 0, summing to `count`, the size of the packed `values_field`."""
    if len(lengths) > ROW_LIMIT:
        raise WireError(f"{lengths_field} is {len(lengths)} rows; it must be at most {ROW_LIMIT} rows")
    if any(length < 0 for length in lengths):
        raise WireError(f"{lengths_field} holds a negative length")
    if sum(lengths) != count:
        raise WireError(f"{lengths_field} sum to {sum(lengths)}; {values_field} holds {count} values")


def check_rows(values: Sequence[int], lengths: Sequence[int], values_field: str, lengths_field: str) -> None:
    """Rows of token ids: lengths as `check_lengths` checks them, every id >= 0."""
    check_lengths(len(values), lengths, values_field, lengths_field)
    if any(value < 0 for value in values):
        raise WireError(f"{values_field} holds a negative id")


def text_rows(data: bytes, lengths: Sequence[int], bytes_field: str, lengths_field: str) -> List[str]:
    """Rows of text from packed UTF-8 bytes and each row's length in bytes (a NUL is kept)."""
    check_lengths(len(data), lengths, bytes_field, lengths_field)
    rows, at = [], 0
    for row, length in enumerate(lengths):
        try:
            rows.append(data[at:at + length].decode("utf-8"))
        except UnicodeDecodeError:
            raise WireError(f"{bytes_field} row {row} is not UTF-8") from None
        at += length
    return rows


def sequence_texts(request: work_pb2.SequenceRequest):
    """The prompt and response texts of a checked request's rows, or None when it carries none."""
    if not (request.query_text_lengths or request.response_text_lengths or request.query_text or request.response_text):
        return None
    return (text_rows(request.query_text, request.query_text_lengths, "SequenceRequest.query_text",
                      "SequenceRequest.query_text_lengths"),
            text_rows(request.response_text, request.response_text_lengths, "SequenceRequest.response_text",
                      "SequenceRequest.response_text_lengths"))


def _check_welcome(welcome: registration_pb2.Welcome) -> None:
    if welcome.worker_id < 1:
        raise WireError("Welcome.worker_id is 0; it must be >= 1")
    if welcome.heartbeat_interval_ms < 1:
        raise WireError("Welcome.heartbeat_interval_ms is 0; it must be >= 1")
    if welcome.policy_version < 0:
        raise WireError(f"Welcome.policy_version is {welcome.policy_version}; it must be >= 0")
    if len(welcome.config_digest) > DIGEST_LIMIT:
        raise WireError(f"Welcome.config_digest is {len(welcome.config_digest)} bytes; it must be at most {DIGEST_LIMIT}")
    size = len(welcome.run_config.encode("utf-8"))
    if size > CONFIG_LIMIT or len(welcome.config_overrides) > OVERRIDES_LIMIT:
        raise WireError(f"Welcome.run_config is {size} bytes and {len(welcome.config_overrides)} overrides; "
                        f"it must be at most {CONFIG_LIMIT} bytes and {OVERRIDES_LIMIT} overrides")


def _check_sequence_request(request: work_pb2.SequenceRequest) -> None:
    check_task_id(request, "SequenceRequest")
    check_rows(request.query_tokens, request.query_lengths, "SequenceRequest.query_tokens", "SequenceRequest.query_lengths")
    check_rows(request.response_tokens, request.response_lengths, "SequenceRequest.response_tokens",
               "SequenceRequest.response_lengths")
    rows = len(request.query_lengths)
    if len(request.response_lengths) != rows:
        raise WireError(f"SequenceRequest has {rows} query rows and {len(request.response_lengths)} response rows")
    if not (math.isfinite(request.temperature) and request.temperature > 0):
        raise WireError(f"SequenceRequest.temperature is {request.temperature}; it must be finite and > 0")
    has_texts = request.query_text_lengths or request.response_text_lengths or request.query_text or request.response_text
    if has_texts and (len(request.query_text_lengths) != rows or len(request.response_text_lengths) != rows):
        raise WireError(f"SequenceRequest has {len(request.query_text_lengths)} query texts and "
                        f"{len(request.response_text_lengths)} response texts for {rows} rows")
    sequence_texts(request)  # the lengths' sums and every row's UTF-8


def _check_rollout_task(task: work_pb2.RolloutTask) -> None:
    check_task_id(task, "RolloutTask")


def _check_control(control: control_pb2.Control) -> None:
    if control.command not in (control_pb2.COMMAND_DRAIN, control_pb2.COMMAND_STOP, control_pb2.COMMAND_CHECKPOINT):
        raise WireError(f"Control.command is {control.command}; it must be drain, stop or checkpoint")


#: The checks of the bodies this worker acts on; the others are parsed only.
CHECKS = {
    K.KIND_WELCOME: _check_welcome,
    K.KIND_SCORE_REQUEST: _check_sequence_request,
    K.KIND_REFERENCE_REQUEST: _check_sequence_request,
    K.KIND_ROLLOUT_TASK: _check_rollout_task,
    K.KIND_CONTROL: _check_control,
}
