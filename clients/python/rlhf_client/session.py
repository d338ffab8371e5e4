"""A reward worker's side of the wire protocol as a pure state machine over an injected clock (no
sockets, threads or time.time): docs/PROTOCOL.md sections 4 and 5 for a worker. It registers, again and
again with back-off and jitter until a WELCOME comes; checks the first WELCOME's run config against its
digest; says READY once the role is ready (`hello`); passes the learner's work and control to the role;
heartbeats when quiet; registers again when the learner has been silent for 3 heartbeat intervals; and
ends after `learner_timeout` seconds without a word from the learner. Every call returns what to do next
as a list of outputs; the worker loop (`worker.py`) carries them out."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Union

from google.protobuf.message import Message

from .digest import run_config_digest
from .proto import control_pb2, heartbeat_pb2, registration_pb2, weights_pb2, work_pb2
from .wire import K, Envelope, WireError, kind_name

#: The first wait before REGISTER goes out again without a WELCOME, and the longest one.
REGISTER_RETRY_FIRST, REGISTER_RETRY_LONGEST = 1.0, 16.0
#: Heartbeat intervals of silence after which a peer is dead.
LIVENESS = 3


@dataclass
class Transmit:
    """Send a message of `kind` with `body` to the learner."""
    kind: int
    body: Message


@dataclass
class Deliver:
    """Give the role this message: a SCORE_REQUEST, ROLLOUT_TASK or REFERENCE_REQUEST, or CONTROL."""
    envelope: Envelope


@dataclass
class Welcomed:
    """The learner welcomed this worker for the first time (its config checked): make the role ready,
    then call `hello`."""
    welcome: registration_pb2.Welcome


@dataclass
class End:
    """The worker cannot go on in this run: stop with exit status 3, saying `reason` in one line."""
    reason: str


@dataclass
class Log:
    """Write this line to the log."""
    line: str


Output = Union[Transmit, Deliver, Welcomed, End, Log]


class SplitMix64:
    """The seeded generator the Swift worker draws its jitter from (state, then three xor-shift-multiply steps)."""

    MASK = (1 << 64) - 1

    def __init__(self, seed: int):
        self.state = seed & self.MASK

    def next(self) -> int:
        """The next 64-bit value."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)


@dataclass
class WorkerSession:
    """The session of one worker that registers as `registration`; `jitter_seed` seeds the back-off's
    jitter (the process id is a good one, so workers that lost the learner together do not retry in lockstep)."""

    registration: registration_pb2.Register
    learner_timeout: float = 300.0
    jitter_seed: int = 0
    #: The number the learner's WELCOME gave this worker (None before it, and while registering again).
    number: Optional[int] = None
    #: Frames dropped, by reason (`malformed`, `wrong_kind`).
    dropped: Dict[str, int] = field(default_factory=dict)
    #: REGISTERs sent, and how many times the learner was lost.
    registrations: int = 0
    learner_losses: int = 0
    _heartbeat: float = 1.0
    _last_heard: float = 0.0
    _last_sent: float = 0.0
    _next_register: float = float("inf")
    _register_wait: float = REGISTER_RETRY_FIRST
    _first_digest: Optional[bytes] = None
    _hello_sent: bool = False
    _drain_pending: bool = False
    _started: bool = False
    _ended: bool = False
    _jitter: SplitMix64 = None

    def __post_init__(self):
        self._jitter = SplitMix64(self.jitter_seed)

    @property
    def heartbeat_interval(self) -> float:
        """Seconds between heartbeats, as the learner's WELCOME said (1 until then)."""
        return self._heartbeat

    def start(self, now: float) -> List[Output]:
        """REGISTER: the first message, and again whenever the learner was lost."""
        self.number = None
        if not self._started:
            self._last_heard = now  # the learner timeout counts from the start and never restarts
        self._started = True
        self._last_sent = now
        self._register_wait = REGISTER_RETRY_FIRST
        return self._register(now)

    def _register(self, now: float) -> List[Output]:
        self.registrations += 1
        factor = 0.5 + (self._jitter.next() >> 11) / float(1 << 53)
        self._next_register = now + self._register_wait * factor
        self._register_wait = min(self._register_wait * 2, REGISTER_RETRY_LONGEST)
        return [Transmit(K.KIND_REGISTER, self.registration)]

    def _end(self, reason: str) -> List[Output]:
        if self._ended:
            return []
        self._ended = True
        return [End(reason)]

    def hello(self, now: float) -> List[Output]:
        """The role is ready for work: READY with credit 1 (and credit 0 after it if a drain was asked for)."""
        self._hello_sent = True
        self._last_sent = now
        return [Transmit(K.KIND_READY, work_pb2.Ready(credit=1))] + self._drain_ready()

    def drain(self, now: float) -> List[Output]:
        """Take no new work: READY with credit 0 (held until the first READY has gone out)."""
        self._drain_pending = True
        if not self._hello_sent:
            return []
        self._last_sent = now
        return [Transmit(K.KIND_READY, work_pb2.Ready(credit=0))]

    def _drain_ready(self) -> List[Output]:
        return [Transmit(K.KIND_READY, work_pb2.Ready(credit=0))] if self._drain_pending else []

    def send(self, kind: int, body: Message, now: float) -> List[Output]:
        """The role's answer (SCORE_RESULT, TASK_FAILED) to the learner."""
        self._last_sent = now
        return [Transmit(kind, body)]

    def receive(self, decoded: Union[Envelope, WireError], now: float) -> List[Output]:
        """Frames from the learner at `now`, decoded (or the decoding's error: dropped and counted)."""
        if isinstance(decoded, WireError):
            self.dropped["malformed"] = self.dropped.get("malformed", 0) + 1
            return [Log(f"dropped a frame from the learner: {decoded}")]
        if self._ended:
            return []
        self._last_heard = now
        kind = decoded.kind
        if kind == K.KIND_WELCOME:
            return self._welcomed(decoded.body, now)
        if kind == K.KIND_HEARTBEAT:
            return []
        if kind == K.KIND_WEIGHTS_MANIFEST:
            refusal = weights_pb2.WeightsRefused(version=decoded.body.version, reason="this worker takes no weights")
            return self.send(K.KIND_WEIGHTS_REFUSED, refusal, now)
        if kind in (K.KIND_SCORE_REQUEST, K.KIND_ROLLOUT_TASK, K.KIND_REFERENCE_REQUEST):
            return [Deliver(decoded)]
        if kind == K.KIND_CONTROL:
            if decoded.body.command == control_pb2.COMMAND_CHECKPOINT:
                return []  # no version-1 role holds state of its own
            return [Deliver(decoded)]
        if kind == K.KIND_WEIGHTS_CHUNK:
            return []
        self.dropped["wrong_kind"] = self.dropped.get("wrong_kind", 0) + 1
        return [Log(f"dropped a {kind_name(kind)} from the learner")]

    def _welcomed(self, welcome: registration_pb2.Welcome, now: float) -> List[Output]:
        self.number = welcome.worker_id
        self._heartbeat = welcome.heartbeat_interval_ms / 1000
        self._next_register = float("inf")
        if self._first_digest is None:
            if run_config_digest(welcome.run_config, welcome.config_overrides) != welcome.config_digest:
                return self._end("the learner's run config does not match the SHA-256 digest its welcome carries")
            self._first_digest = bytes(welcome.config_digest)
            return [Welcomed(welcome)]
        if bytes(welcome.config_digest) != self._first_digest:
            return self._end("the learner now runs another run config than the one this worker joined; start the worker again")
        if not self._hello_sent:
            return []  # the role is still getting ready: its hello sends the first READY
        self._last_sent = now
        return ([Log(f"welcomed again as worker {welcome.worker_id}; ready for work"),
                 Transmit(K.KIND_READY, work_pb2.Ready(credit=1))] + self._drain_ready())

    def tick(self, now: float) -> List[Output]:
        """The clock reads `now`: the end after the learner timeout, the learner lost after 3 silent
        heartbeat intervals (REGISTER again at once), REGISTER again when no WELCOME came, a heartbeat
        when this worker has sent nothing for an interval."""
        if self._ended:
            return []
        if now - self._last_heard > self.learner_timeout:
            return self._end(f"nothing from the learner for {round(self.learner_timeout)} s (--learner-timeout); giving up")
        if self.number is not None and now - self._last_heard > self._heartbeat * LIVENESS:
            self.learner_losses += 1
            return [Log(f"the learner has been silent for {LIVENESS} heartbeat intervals; registering again")] + self.start(now)
        if self.number is None and self._started and now >= self._next_register:
            return self._register(now)
        if self.number is not None and now - self._last_sent >= self._heartbeat:
            self._last_sent = now
            return [Transmit(K.KIND_HEARTBEAT, heartbeat_pb2.Heartbeat())]
        return []
