from . import registration_pb2 as _registration_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
OPERATOR_ACTION_ADMIT: OperatorAction
OPERATOR_ACTION_CHECKPOINT: OperatorAction
OPERATOR_ACTION_DRAIN: OperatorAction
OPERATOR_ACTION_SCALE: OperatorAction
OPERATOR_ACTION_STATUS: OperatorAction
OPERATOR_ACTION_STOP: OperatorAction
OPERATOR_ACTION_UNSPECIFIED: OperatorAction

class MonitorUpdate(_message.Message):
    __slots__ = ["sequence", "snapshot_json"]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_JSON_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    snapshot_json: str
    def __init__(self, sequence: _Optional[int] = ..., snapshot_json: _Optional[str] = ...) -> None: ...

class OperatorAnswer(_message.Message):
    __slots__ = ["done", "message", "request_id", "status_json"]
    DONE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_JSON_FIELD_NUMBER: _ClassVar[int]
    done: bool
    message: str
    request_id: int
    status_json: str
    def __init__(self, request_id: _Optional[int] = ..., done: bool = ..., message: _Optional[str] = ..., status_json: _Optional[str] = ...) -> None: ...

class OperatorRequest(_message.Message):
    __slots__ = ["action", "count", "public_key", "relative", "request_id", "role", "worker"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    RELATIVE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    action: OperatorAction
    count: int
    public_key: str
    relative: bool
    request_id: int
    role: _registration_pb2.Role
    worker: str
    def __init__(self, request_id: _Optional[int] = ..., action: _Optional[_Union[OperatorAction, str]] = ..., worker: _Optional[str] = ..., role: _Optional[_Union[_registration_pb2.Role, str]] = ..., count: _Optional[int] = ..., relative: bool = ..., public_key: _Optional[str] = ...) -> None: ...

class OperatorAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
