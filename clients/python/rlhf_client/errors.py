"""The client's errors. Each says in one line what was wrong and where; the command line turns them into
one `error:` line and an exit status (2 for what the user gave it, 3 when the run cannot go on)."""


class ClientError(Exception):
    """Something the client cannot do; the message is one line."""


class UsageError(ClientError):
    """A command-line value the client cannot use (a `--function` that does not load, a bad flag)."""


class KeyFileError(ClientError):
    """A CurveZMQ key file that cannot be read, is malformed, or holds a secret others may read."""


class WireError(ClientError):
    """A message from the learner that breaks the protocol (docs/PROTOCOL.md section 2): the worker drops
    it, counts it and logs this line; it never stops the worker."""


class ScoreFunctionError(ClientError):
    """The user's score function raised, or returned something that is not one finite float32 per row:
    the task goes back to the learner as TASK_FAILED with this line as its reason."""


class RunEnded(ClientError):
    """The worker cannot go on in this run (the learner silent past --learner-timeout, or a welcome whose
    run config does not match its digest or the first one's): exit status 3."""
