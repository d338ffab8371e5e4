from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
ROLE_REFERENCE: Role
ROLE_REWARD: Role
ROLE_ROLLOUT: Role
ROLE_UNSPECIFIED: Role

class Capabilities(_message.Message):
    __slots__ = ["backends", "max_rows_per_task", "score_texts"]
    BACKENDS_FIELD_NUMBER: _ClassVar[int]
    MAX_ROWS_PER_TASK_FIELD_NUMBER: _ClassVar[int]
    SCORE_TEXTS_FIELD_NUMBER: _ClassVar[int]
    backends: _containers.RepeatedScalarFieldContainer[str]
    max_rows_per_task: int
    score_texts: bool
    def __init__(self, max_rows_per_task: _Optional[int] = ..., backends: _Optional[_Iterable[str]] = ..., score_texts: bool = ...) -> None: ...

class Register(_message.Message):
    __slots__ = ["capabilities", "device", "host", "pid", "protocol_version", "role"]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    capabilities: Capabilities
    device: str
    host: str
    pid: int
    protocol_version: int
    role: Role
    def __init__(self, role: _Optional[_Union[Role, str]] = ..., protocol_version: _Optional[int] = ..., host: _Optional[str] = ..., pid: _Optional[int] = ..., device: _Optional[str] = ..., capabilities: _Optional[_Union[Capabilities, _Mapping]] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ["config_digest", "config_overrides", "heartbeat_interval_ms", "policy_version", "run_config", "run_seed", "worker_id"]
    CONFIG_DIGEST_FIELD_NUMBER: _ClassVar[int]
    CONFIG_OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    RUN_CONFIG_FIELD_NUMBER: _ClassVar[int]
    RUN_SEED_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    config_digest: bytes
    config_overrides: _containers.RepeatedScalarFieldContainer[str]
    heartbeat_interval_ms: int
    policy_version: int
    run_config: str
    run_seed: int
    worker_id: int
    def __init__(self, worker_id: _Optional[int] = ..., heartbeat_interval_ms: _Optional[int] = ..., run_seed: _Optional[int] = ..., policy_version: _Optional[int] = ..., config_digest: _Optional[bytes] = ..., run_config: _Optional[str] = ..., config_overrides: _Optional[_Iterable[str]] = ...) -> None: ...

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
