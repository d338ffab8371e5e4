"""Protobuf classes of the rlhf wire protocol, generated from Proto/rlhf/v1 by scripts/protoc-python.sh
(`make proto`); never edit them by hand."""
