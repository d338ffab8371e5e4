from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Ready(_message.Message):
    __slots__ = ["credit"]
    CREDIT_FIELD_NUMBER: _ClassVar[int]
    credit: int
    def __init__(self, credit: _Optional[int] = ...) -> None: ...

class ReferenceResult(_message.Message):
    __slots__ = ["compute_seconds", "id", "lengths", "log_probs"]
    COMPUTE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LENGTHS_FIELD_NUMBER: _ClassVar[int]
    LOG_PROBS_FIELD_NUMBER: _ClassVar[int]
    compute_seconds: float
    id: TaskId
    lengths: _containers.RepeatedScalarFieldContainer[int]
    log_probs: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, id: _Optional[_Union[TaskId, _Mapping]] = ..., log_probs: _Optional[_Iterable[float]] = ..., lengths: _Optional[_Iterable[int]] = ..., compute_seconds: _Optional[float] = ...) -> None: ...

class Rollout(_message.Message):
    __slots__ = ["compute_seconds", "id", "log_probs", "policy_version", "response_lengths", "response_tokens", "stopped"]
    COMPUTE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LOG_PROBS_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_LENGTHS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_TOKENS_FIELD_NUMBER: _ClassVar[int]
    STOPPED_FIELD_NUMBER: _ClassVar[int]
    compute_seconds: float
    id: TaskId
    log_probs: _containers.RepeatedScalarFieldContainer[float]
    policy_version: int
    response_lengths: _containers.RepeatedScalarFieldContainer[int]
    response_tokens: _containers.RepeatedScalarFieldContainer[int]
    stopped: _containers.RepeatedScalarFieldContainer[bool]
    def __init__(self, id: _Optional[_Union[TaskId, _Mapping]] = ..., policy_version: _Optional[int] = ..., response_tokens: _Optional[_Iterable[int]] = ..., response_lengths: _Optional[_Iterable[int]] = ..., log_probs: _Optional[_Iterable[float]] = ..., stopped: _Optional[_Iterable[bool]] = ..., compute_seconds: _Optional[float] = ...) -> None: ...

class RolloutTask(_message.Message):
    __slots__ = ["id", "policy_version", "prompt_lengths", "prompt_tokens", "sampling", "seed"]
    ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROMPT_LENGTHS_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    id: TaskId
    policy_version: int
    prompt_lengths: _containers.RepeatedScalarFieldContainer[int]
    prompt_tokens: _containers.RepeatedScalarFieldContainer[int]
    sampling: SamplingSettings
    seed: int
    def __init__(self, id: _Optional[_Union[TaskId, _Mapping]] = ..., policy_version: _Optional[int] = ..., prompt_tokens: _Optional[_Iterable[int]] = ..., prompt_lengths: _Optional[_Iterable[int]] = ..., seed: _Optional[int] = ..., sampling: _Optional[_Union[SamplingSettings, _Mapping]] = ...) -> None: ...

class SamplingSettings(_message.Message):
    __slots__ = ["max_new_tokens", "min_p", "stop_tokens", "temperature", "top_k", "top_p"]
    MAX_NEW_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MIN_P_FIELD_NUMBER: _ClassVar[int]
    STOP_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    max_new_tokens: int
    min_p: float
    stop_tokens: _containers.RepeatedScalarFieldContainer[int]
    temperature: float
    top_k: int
    top_p: float
    def __init__(self, temperature: _Optional[float] = ..., top_k: _Optional[int] = ..., top_p: _Optional[float] = ..., min_p: _Optional[float] = ..., max_new_tokens: _Optional[int] = ..., stop_tokens: _Optional[_Iterable[int]] = ...) -> None: ...

class ScoreResult(_message.Message):
    __slots__ = ["compute_seconds", "id", "scores"]
    COMPUTE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    compute_seconds: float
    id: TaskId
    scores: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, id: _Optional[_Union[TaskId, _Mapping]] = ..., scores: _Optional[_Iterable[float]] = ..., compute_seconds: _Optional[float] = ...) -> None: ...

class SequenceRequest(_message.Message):
    __slots__ = ["id", "query_lengths", "query_text", "query_text_lengths", "query_tokens", "response_lengths", "response_text", "response_text_lengths", "response_tokens", "temperature"]
    ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_LENGTHS_FIELD_NUMBER: _ClassVar[int]
    QUERY_TEXT_FIELD_NUMBER: _ClassVar[int]
    QUERY_TEXT_LENGTHS_FIELD_NUMBER: _ClassVar[int]
    QUERY_TOKENS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_LENGTHS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_TEXT_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_TEXT_LENGTHS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    id: TaskId
    query_lengths: _containers.RepeatedScalarFieldContainer[int]
    query_text: bytes
    query_text_lengths: _containers.RepeatedScalarFieldContainer[int]
    query_tokens: _containers.RepeatedScalarFieldContainer[int]
    response_lengths: _containers.RepeatedScalarFieldContainer[int]
    response_text: bytes
    response_text_lengths: _containers.RepeatedScalarFieldContainer[int]
    response_tokens: _containers.RepeatedScalarFieldContainer[int]
    temperature: float
    def __init__(self, id: _Optional[_Union[TaskId, _Mapping]] = ..., query_tokens: _Optional[_Iterable[int]] = ..., query_lengths: _Optional[_Iterable[int]] = ..., response_tokens: _Optional[_Iterable[int]] = ..., response_lengths: _Optional[_Iterable[int]] = ..., temperature: _Optional[float] = ..., query_text: _Optional[bytes] = ..., query_text_lengths: _Optional[_Iterable[int]] = ..., response_text: _Optional[bytes] = ..., response_text_lengths: _Optional[_Iterable[int]] = ...) -> None: ...

class TaskFailed(_message.Message):
    __slots__ = ["id", "reason"]
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: TaskId
    reason: str
    def __init__(self, id: _Optional[_Union[TaskId, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class TaskId(_message.Message):
    __slots__ = ["incarnation", "index", "iteration"]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ITERATION_FIELD_NUMBER: _ClassVar[int]
    incarnation: int
    index: int
    iteration: int
    def __init__(self, iteration: _Optional[int] = ..., index: _Optional[int] = ..., incarnation: _Optional[int] = ...) -> None: ...
