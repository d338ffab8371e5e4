from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
KIND_CONTROL: Kind
KIND_HEARTBEAT: Kind
KIND_METRICS: Kind
KIND_MONITOR_UPDATE: Kind
KIND_OPERATOR_ANSWER: Kind
KIND_OPERATOR_REQUEST: Kind
KIND_READY: Kind
KIND_REFERENCE_REQUEST: Kind
KIND_REFERENCE_RESULT: Kind
KIND_REGISTER: Kind
KIND_ROLLOUT: Kind
KIND_ROLLOUT_TASK: Kind
KIND_SCORE_REQUEST: Kind
KIND_SCORE_RESULT: Kind
KIND_TASK_FAILED: Kind
KIND_UNSPECIFIED: Kind
KIND_WEIGHTS_CHUNK: Kind
KIND_WEIGHTS_INSTALLED: Kind
KIND_WEIGHTS_MANIFEST: Kind
KIND_WEIGHTS_REFUSED: Kind
KIND_WEIGHTS_REQUEST: Kind
KIND_WELCOME: Kind

class Header(_message.Message):
    __slots__ = ["kind", "protocol_version", "sequence", "worker_id"]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    kind: Kind
    protocol_version: int
    sequence: int
    worker_id: int
    def __init__(self, protocol_version: _Optional[int] = ..., kind: _Optional[_Union[Kind, str]] = ..., worker_id: _Optional[int] = ..., sequence: _Optional[int] = ...) -> None: ...

class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
