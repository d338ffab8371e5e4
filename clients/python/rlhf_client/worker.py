"""A reward worker process: a ZeroMQ DEALER (CurveZMQ with the worker's key folder, or plain tcp with
`--insecure` on loopback) connected to the learner's ROUTER, driven through the pure `WorkerSession`. One
thread owns the socket and the session: it polls the socket, a wake-up pipe and the clock (every 250 ms).
The user's score function runs on a thread of its own, so heartbeats go on while it computes (a learner
that hears nothing for 3 heartbeat intervals drops the worker). SIGTERM drains (docs/PROTOCOL.md section
5): READY with credit 0, the work held is finished and answered, and the learner's STOP ends the process
with status 0; a second SIGTERM, or no STOP within `drain_seconds`, exits at once."""

import logging
import os
import queue
import signal
import socket
import threading
import time
from typing import List, Optional

import zmq

from .errors import RunEnded
from .keys import ClientKeys
from .proto import control_pb2, registration_pb2, work_pb2
from .scoring import ScoreFunction, Scorer
from .session import Deliver, End, Log, Transmit, Welcomed, WorkerSession
from .wire import K, WireError, decode, encode, kind_name

#: ZMQ_MAXMSGSIZE: a larger inbound frame makes libzmq drop the connection (64 MiB body limit plus margin).
MAX_FRAME_BYTES = 65 << 20
#: How often the session's clock ticks.
TICK_SECONDS = 0.25
#: Exit statuses: stopped by the learner; no STOP within the drain grace; the run cannot go on; a second SIGTERM.
EXIT_STOPPED, EXIT_DRAIN_TIMEOUT, EXIT_RUN_ENDED, EXIT_SIGTERM = 0, 1, 3, 128 + signal.SIGTERM


class ScoringThread:
    """The user's score function on a thread of its own: requests in, answers out in the same order;
    each answer writes a byte to a pipe the socket thread polls, so it is sent at once."""

    def __init__(self, scorer: Scorer):
        self.scorer = scorer
        self.requests: "queue.Queue[work_pb2.SequenceRequest]" = queue.Queue()
        self.answers: "queue.Queue" = queue.Queue()
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        self.busy = 0
        threading.Thread(target=self._run, name="score", daemon=True).start()

    def submit(self, request: work_pb2.SequenceRequest) -> None:
        """Scores `request` after those submitted before it."""
        self.busy += 1
        self.requests.put(request)

    def _run(self) -> None:
        while True:
            request = self.requests.get()
            self.answers.put(self.scorer.answer(request))
            os.write(self.wake_write, b"!")

    def take(self) -> List:
        """The answers ready now, in order (kind, body)."""
        try:
            os.read(self.wake_read, 4096)
        except BlockingIOError:
            pass
        done = []
        while True:
            try:
                done.append(self.answers.get_nowait())
            except queue.Empty:
                break
        self.busy -= len(done)
        return done


class RewardWorker:
    """One reward worker for the learner at `connect`, scoring with `function`. `keys` None: plain tcp."""

    def __init__(self, connect: str, keys: Optional[ClientKeys], function: ScoreFunction, device: str = "cpu",
                 learner_timeout: float = 300.0, drain_seconds: float = 120.0, connect_timeout: float = 10.0,
                 scorer: Optional[Scorer] = None, logger: Optional[logging.Logger] = None):
        self.connect = connect
        self.keys = keys
        self.connect_timeout = connect_timeout
        self.drain_seconds = drain_seconds
        self.log = logger or logging.getLogger("rlhf_client.worker")
        registration = registration_pb2.Register(
            role=registration_pb2.ROLE_REWARD, protocol_version=1, host=socket.gethostname() or "localhost", pid=os.getpid(),
            device=device, capabilities=registration_pb2.Capabilities(max_rows_per_task=1 << 16, backends=["python"], score_texts=True))
        self.session = WorkerSession(registration, learner_timeout=learner_timeout, jitter_seed=os.getpid())
        self.scoring = ScoringThread(scorer or Scorer(function))
        self.sequence = 0
        self.context = zmq.Context()
        self.socket = self._open()
        self._sigterms = 0
        self._drain_deadline: Optional[float] = None
        self._welcomed = False
        self._status: Optional[int] = None

    def _open(self) -> zmq.Socket:
        """The DEALER, with the protocol's socket limits (section 9) and CurveZMQ when there are keys."""
        dealer = self.context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME_BYTES)
        dealer.setsockopt(zmq.SNDHWM, 1000)
        dealer.setsockopt(zmq.RCVHWM, 1000)
        dealer.setsockopt(zmq.RECONNECT_IVL, 1000)
        dealer.setsockopt(zmq.RECONNECT_IVL_MAX, 32000)
        dealer.setsockopt(zmq.HANDSHAKE_IVL, 10000)
        if self.keys is not None:
            dealer.curve_serverkey = self.keys.server_key
            dealer.curve_publickey = self.keys.public_key
            dealer.curve_secretkey = self.keys.secret_key
        dealer.connect(self.connect)
        return dealer

    def transmit(self, kind: int, body) -> None:
        """Sends a message of `kind` with the worker's number and the next sequence (never blocking)."""
        self.sequence += 1
        try:
            self.socket.send_multipart(encode(kind, body, self.session.number or 0, self.sequence), flags=zmq.NOBLOCK)
        except zmq.Again:
            self.log.warning("the learner's queue is full; a %s was not sent", kind_name(kind))
        except WireError as error:
            self.log.error("cannot encode a %s: %s", kind_name(kind), error)

    def perform(self, outputs) -> None:
        """Carries out what the session says."""
        for output in outputs:
            if isinstance(output, Transmit):
                self.transmit(output.kind, output.body)
            elif isinstance(output, Log):
                self.log.info("%s", output.line)
            elif isinstance(output, Welcomed):
                self._welcomed = True
                self.log.info("welcomed as worker %d; ready for work", output.welcome.worker_id)
                self.perform(self.session.hello(time.monotonic()))
            elif isinstance(output, Deliver):
                self._deliver(output.envelope)
            elif isinstance(output, End):
                raise RunEnded(output.reason)

    def _deliver(self, envelope) -> None:
        now = time.monotonic()
        if envelope.kind == K.KIND_SCORE_REQUEST:
            self.scoring.submit(envelope.body)
        elif envelope.kind in (K.KIND_ROLLOUT_TASK, K.KIND_REFERENCE_REQUEST):
            failed = work_pb2.TaskFailed(id=envelope.body.id, reason="a reward worker takes reward requests only")
            self.perform(self.session.send(K.KIND_TASK_FAILED, failed, now))
        elif envelope.body.command == control_pb2.COMMAND_STOP:
            self.log.info("stopped by the learner")
            self._status = EXIT_STOPPED
        elif envelope.body.command == control_pb2.COMMAND_DRAIN:
            self.log.info("the learner asked this worker to drain: finishing what it holds")
            self._start_drain(now)

    def _start_drain(self, now: float) -> None:
        if self._drain_deadline is None:
            self._drain_deadline = now + self.drain_seconds
        self.perform(self.session.drain(now))

    def _sigterm(self, signum, frame) -> None:
        self._sigterms += 1

    def run(self) -> int:
        """Registers, serves the learner until it says stop, and returns the exit status (raises
        `RunEnded` when the run cannot go on: status 3)."""
        previous = signal.signal(signal.SIGTERM, self._sigterm)
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        poller.register(self.scoring.wake_read, zmq.POLLIN)
        self.log.info("reward worker (Python): waiting for the learner at %s", self.connect)
        start = time.monotonic()
        next_tick, next_warning = start, start + self.connect_timeout
        handled_sigterms = 0
        try:
            self.perform(self.session.start(start))
            while self._status is None:
                events = dict(poller.poll(timeout=max(0, int((next_tick - time.monotonic()) * 1000)) + 1))
                now = time.monotonic()
                if self.socket in events:
                    self._receive_all(now)
                if self.scoring.wake_read in events or self.scoring.busy:
                    for kind, body in self.scoring.take():
                        self.perform(self.session.send(kind, body, time.monotonic()))
                if self._sigterms > handled_sigterms:
                    handled_sigterms = self._sigterms
                    if handled_sigterms > 1 or not self._welcomed:
                        self.log.warning("SIGTERM: exiting now")
                        return EXIT_SIGTERM
                    self.log.info("SIGTERM: draining; finishing the work this worker holds, then the learner stops it")
                    self._start_drain(now)
                if now >= next_tick:
                    next_tick = now + TICK_SECONDS
                    self.perform(self.session.tick(now))
                    if not self._welcomed and now >= next_warning:
                        self.log.warning("no answer from the learner at %s after %d s; still trying", self.connect, round(now - start))
                        next_warning = now + self.connect_timeout
                    if self._drain_deadline is not None and now >= self._drain_deadline:
                        self.log.error("the learner did not stop this draining worker within %d s; exiting", round(self.drain_seconds))
                        return EXIT_DRAIN_TIMEOUT
            return self._status
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.socket.close(linger=0)
            self.context.term()

    def _receive_all(self, now: float) -> None:
        """Everything the socket holds now, each message decoded and handed to the session."""
        while self._status is None:
            try:
                frames = self.socket.recv_multipart(flags=zmq.NOBLOCK, copy=True)
            except zmq.Again:
                return
            try:
                decoded = decode(frames)
            except WireError as error:
                decoded = error
            self.perform(self.session.receive(decoded, now))
