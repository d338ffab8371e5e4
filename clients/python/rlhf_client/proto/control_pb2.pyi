from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

COMMAND_CHECKPOINT: Command
COMMAND_DRAIN: Command
COMMAND_STOP: Command
COMMAND_UNSPECIFIED: Command
DESCRIPTOR: _descriptor.FileDescriptor

class Control(_message.Message):
    __slots__ = ["command"]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    command: Command
    def __init__(self, command: _Optional[_Union[Command, str]] = ...) -> None: ...

class Command(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
