from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
DTYPE_BF16: DType
DTYPE_F16: DType
DTYPE_F32: DType
DTYPE_UNSPECIFIED: DType

class SealedStream(_message.Message):
    __slots__ = ["key", "port", "ticket"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    port: int
    ticket: bytes
    def __init__(self, key: _Optional[bytes] = ..., port: _Optional[int] = ..., ticket: _Optional[bytes] = ...) -> None: ...

class TensorEntry(_message.Message):
    __slots__ = ["byte_offset", "crc32c", "dtype", "name", "shape"]
    BYTE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    CRC32C_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    byte_offset: int
    crc32c: int
    dtype: DType
    name: str
    shape: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, name: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., dtype: _Optional[_Union[DType, str]] = ..., byte_offset: _Optional[int] = ..., crc32c: _Optional[int] = ...) -> None: ...

class WeightsChunk(_message.Message):
    __slots__ = ["byte_offset", "version"]
    BYTE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    byte_offset: int
    version: int
    def __init__(self, version: _Optional[int] = ..., byte_offset: _Optional[int] = ...) -> None: ...

class WeightsInstalled(_message.Message):
    __slots__ = ["version"]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: int
    def __init__(self, version: _Optional[int] = ...) -> None: ...

class WeightsManifest(_message.Message):
    __slots__ = ["replaces", "sealed", "shared_memory", "tensors", "total_bytes", "version"]
    REPLACES_FIELD_NUMBER: _ClassVar[int]
    SEALED_FIELD_NUMBER: _ClassVar[int]
    SHARED_MEMORY_FIELD_NUMBER: _ClassVar[int]
    TENSORS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    replaces: int
    sealed: SealedStream
    shared_memory: str
    tensors: _containers.RepeatedCompositeFieldContainer[TensorEntry]
    total_bytes: int
    version: int
    def __init__(self, version: _Optional[int] = ..., replaces: _Optional[int] = ..., tensors: _Optional[_Iterable[_Union[TensorEntry, _Mapping]]] = ..., total_bytes: _Optional[int] = ..., shared_memory: _Optional[str] = ..., sealed: _Optional[_Union[SealedStream, _Mapping]] = ...) -> None: ...

class WeightsRefused(_message.Message):
    __slots__ = ["reason", "version"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    reason: str
    version: int
    def __init__(self, version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class WeightsRequest(_message.Message):
    __slots__ = ["byte_offset", "credit", "ticket", "version"]
    BYTE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    CREDIT_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    byte_offset: int
    credit: int
    ticket: bytes
    version: int
    def __init__(self, version: _Optional[int] = ..., byte_offset: _Optional[int] = ..., credit: _Optional[int] = ..., ticket: _Optional[bytes] = ...) -> None: ...

class DType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
