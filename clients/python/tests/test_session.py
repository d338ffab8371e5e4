"""The worker session as a pure state machine, driven with a manual clock (no sockets)."""

import unittest

from rlhf_client.digest import run_config_digest
from rlhf_client.errors import WireError
from rlhf_client.proto import control_pb2, registration_pb2, work_pb2
from rlhf_client.session import Deliver, End, Transmit, Welcomed, WorkerSession
from rlhf_client.wire import K, Envelope


def welcome(worker_id=1, config="seed: 0\n", overrides=("iterations=3",), digest=None, heartbeat_ms=1000):
    body = registration_pb2.Welcome(worker_id=worker_id, heartbeat_interval_ms=heartbeat_ms, run_config=config,
                                    config_overrides=list(overrides))
    body.config_digest = digest if digest is not None else run_config_digest(config, list(overrides))
    return Envelope(K.KIND_WELCOME, worker_id, 1, body)


def kinds(outputs):
    return [(o.kind, getattr(o.body, "credit", None)) if isinstance(o, Transmit) else type(o).__name__ for o in outputs]


class WorkerSessionTests(unittest.TestCase):
    def make(self, **options):
        registration = registration_pb2.Register(role=registration_pb2.ROLE_REWARD, protocol_version=1, host="h", pid=7, device="cpu")
        return WorkerSession(registration, jitter_seed=7, **options)

    def test_registers_again_with_doubling_jittered_waits_until_welcomed(self):
        session = self.make()
        self.assertEqual(kinds(session.start(0.0)), [(K.KIND_REGISTER, None)])
        sent, now = [0.0], 0.0
        while len(sent) < 7:
            now += 0.01
            if session.tick(now):
                sent.append(now)
        waits = [b - a for a, b in zip(sent, sent[1:])]
        for wait, base in zip(waits, [1, 2, 4, 8, 16, 16]):
            self.assertGreaterEqual(wait, 0.5 * base - 0.011)
            self.assertLess(wait, 1.5 * base + 0.011)
        self.assertEqual(kinds(session.receive(welcome(), now)), ["Welcomed"])
        later = [o for t in range(1, 25) for o in session.tick(now + t / 10)]
        self.assertNotIn((K.KIND_REGISTER, None), kinds(later))  # welcomed: no more REGISTERs

    def test_a_welcome_whose_config_does_not_match_its_digest_ends_the_session(self):
        session = self.make()
        session.start(0.0)
        outputs = session.receive(welcome(digest=b"\x00" * 32), 0.1)
        self.assertEqual(len(outputs), 1)
        self.assertIsInstance(outputs[0], End)
        self.assertIn("digest", outputs[0].reason)

    def test_hello_heartbeats_loss_and_welcome_again(self):
        session = self.make()
        session.start(0.0)
        session.receive(welcome(worker_id=4), 0.1)
        self.assertEqual(kinds(session.hello(0.1)), [(K.KIND_READY, 1)])
        self.assertEqual(session.number, 4)
        self.assertEqual(kinds(session.tick(1.2)), [(K.KIND_HEARTBEAT, None)])
        self.assertEqual(session.tick(1.3), [])
        # the learner silent for 3 heartbeat intervals: registered again at once
        self.assertEqual(kinds(session.tick(3.2)), ["Log", (K.KIND_REGISTER, None)])
        self.assertIsNone(session.number)
        self.assertEqual(kinds(session.receive(welcome(worker_id=9), 3.3)), ["Log", (K.KIND_READY, 1)])
        self.assertEqual(session.number, 9)
        ended = session.receive(welcome(worker_id=10, config="seed: 1\n"), 3.4)
        self.assertIsInstance(ended[0], End)
        self.assertIn("another run config", ended[0].reason)

    def test_a_drain_before_the_first_ready_follows_it(self):
        session = self.make()
        session.start(0.0)
        self.assertEqual(session.drain(0.05), [])
        session.receive(welcome(), 0.1)
        self.assertEqual(kinds(session.hello(0.1)), [(K.KIND_READY, 1), (K.KIND_READY, 0)])
        self.assertEqual(kinds(session.drain(0.2)), [(K.KIND_READY, 0)])

    def test_work_and_control_go_to_the_role_and_checkpoint_is_ignored(self):
        session = self.make()
        session.start(0.0)
        session.receive(welcome(), 0.1)
        request = Envelope(K.KIND_SCORE_REQUEST, 1, 2, work_pb2.SequenceRequest(temperature=1))
        self.assertIsInstance(session.receive(request, 0.2)[0], Deliver)
        stop = Envelope(K.KIND_CONTROL, 1, 3, control_pb2.Control(command=control_pb2.COMMAND_STOP))
        self.assertIsInstance(session.receive(stop, 0.3)[0], Deliver)
        checkpoint = Envelope(K.KIND_CONTROL, 1, 4, control_pb2.Control(command=control_pb2.COMMAND_CHECKPOINT))
        self.assertEqual(session.receive(checkpoint, 0.4), [])

    def test_malformed_frames_are_counted_and_the_learner_timeout_ends_it(self):
        session = self.make(learner_timeout=5)
        session.start(0.0)
        session.receive(WireError("bad"), 1.0)
        self.assertEqual(session.dropped, {"malformed": 1})
        outputs = [o for t in range(1, 50) for o in session.tick(t / 10)]
        self.assertFalse(any(isinstance(o, End) for o in outputs))  # a malformed frame is not hearing from the learner
        self.assertIsInstance(session.tick(5.1)[-1], End)
        self.assertEqual(session.tick(6.0), [])


if __name__ == "__main__":
    unittest.main()
