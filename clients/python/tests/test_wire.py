"""Decoding what a broken or hostile learner could send: every bad message is a WireError naming what was
wrong; sound ones, texts with a NUL and non-ASCII included, come through."""

import math
import unittest

from rlhf_client.errors import WireError
from rlhf_client.proto import header_pb2, registration_pb2, work_pb2
from rlhf_client.wire import HEADER_LIMIT, K, decode, encode, sequence_texts


def header(kind, version=1, sequence=1):
    return header_pb2.Header(protocol_version=version, kind=kind, worker_id=3, sequence=sequence).SerializeToString()


def request(prompts=("Once", "A dog"), responses=("upon\x00 a time", "ran 🐕"), **fields):
    message = work_pb2.SequenceRequest(id=work_pb2.TaskId(iteration=2, index=1, incarnation=9), query_tokens=[1, 2, 3],
                                       query_lengths=[1, 2], response_tokens=[4, 5], response_lengths=[2, 0], temperature=1.0)
    message.query_text = "".join(prompts).encode()
    message.query_text_lengths.extend(len(p.encode()) for p in prompts)
    message.response_text = "".join(responses).encode()
    message.response_text_lengths.extend(len(r.encode()) for r in responses)
    for name, value in fields.items():
        if isinstance(value, list):
            getattr(message, name)[:] = value
        else:
            setattr(message, name, value)
    return message


class DecodeTests(unittest.TestCase):
    def test_a_score_request_with_texts_comes_through(self):
        envelope = decode([header(K.KIND_SCORE_REQUEST), request().SerializeToString()])
        self.assertEqual(envelope.kind, K.KIND_SCORE_REQUEST)
        self.assertEqual(sequence_texts(envelope.body), (["Once", "A dog"], ["upon\x00 a time", "ran 🐕"]))

    def test_a_request_without_texts_has_none(self):
        plain = request()
        for name in ("query_text", "response_text"):
            plain.ClearField(name)
        for name in ("query_text_lengths", "response_text_lengths"):
            plain.ClearField(name)
        self.assertIsNone(sequence_texts(decode([header(K.KIND_SCORE_REQUEST), plain.SerializeToString()]).body))

    def assertRefused(self, frames, words):
        with self.assertRaises(WireError) as caught:
            decode(frames)
        self.assertIn(words, str(caught.exception))

    def test_bad_frames_are_refused(self):
        body = request().SerializeToString()
        self.assertRefused([], "0 frames")
        self.assertRefused([b"\xff" * 10, body], "does not parse")
        self.assertRefused([b"\x00" * (HEADER_LIMIT + 1), body], "over its limit")
        self.assertRefused([header(K.KIND_SCORE_REQUEST, version=2), body], "protocol version 2")
        self.assertRefused([header(99), body], "unknown message kind 99")
        self.assertRefused([header(K.KIND_SCORE_RESULT), b""], "does not send SCORE_RESULT")
        self.assertRefused([header(K.KIND_SCORE_REQUEST, sequence=0), body], "sequence")
        self.assertRefused([header(K.KIND_SCORE_REQUEST), body, b"x"], "3 frames; it needs 2")
        self.assertRefused([header(K.KIND_SCORE_REQUEST), b"\xff\xff"], "does not parse")

    def test_bad_requests_are_refused(self):
        def refused(message, words):
            self.assertRefused([header(K.KIND_SCORE_REQUEST), message.SerializeToString()], words)
        refused(request(query_text_lengths=[4, 99]), "sum to 103")
        refused(request(query_text_lengths=[-1, 10]), "negative length")
        refused(request(query_text_lengths=[4]), "1 query texts and 2 response texts for 2 rows")
        refused(request(response_text=b"\xff\xfe" + b"x" * 19, response_text_lengths=[2, 19]), "row 0 is not UTF-8")
        refused(request(response_lengths=[1, 0]), "sum to 1")
        refused(request(response_lengths=[2]), "2 query rows and 1 response rows")
        refused(request(temperature=math.nan), "temperature")
        refused(request(temperature=0.0), "temperature")
        missing = request()
        missing.ClearField("id")
        refused(missing, "SequenceRequest.id is missing")
        refused(request(query_tokens=[1, -2, 3]), "negative id")

    def test_a_bad_welcome_is_refused(self):
        def refused(message, words):
            self.assertRefused([header(K.KIND_WELCOME), message.SerializeToString()], words)
        refused(registration_pb2.Welcome(worker_id=0, heartbeat_interval_ms=1000), "worker_id")
        refused(registration_pb2.Welcome(worker_id=1, heartbeat_interval_ms=0), "heartbeat_interval_ms")
        refused(registration_pb2.Welcome(worker_id=1, heartbeat_interval_ms=1, config_digest=b"x" * 65), "config_digest")

    def test_encode_numbers_its_messages(self):
        frames = encode(K.KIND_READY, work_pb2.Ready(credit=1), 4, 7)
        parsed = header_pb2.Header.FromString(frames[0])
        self.assertEqual((parsed.protocol_version, parsed.kind, parsed.worker_id, parsed.sequence), (1, K.KIND_READY, 4, 7))
        with self.assertRaises(WireError):
            encode(K.KIND_READY, work_pb2.Ready(credit=1), 4, 0)


if __name__ == "__main__":
    unittest.main()
