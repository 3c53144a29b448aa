"""One small hierarchy of domain errors.

The CLI turns a :class:`UserError` into one line on stderr and exit code 1; the daemon turns
any error raised while handling a message into a quarantine entry with ``str(error)`` as the
reason. Only bugs (anything that is not a :class:`MailflowError`) give a traceback.
"""


class MailflowError(Exception):
    """Base of every error mailflow raises on purpose."""


class UserError(MailflowError):
    """Bad input from a person: a config value, a file, a command-line argument."""


class PermanentError(MailflowError):
    """Retrying will not help (a malformed message, a 5xx from the SMTP server)."""


class TransientError(MailflowError):
    """Retrying later may help (a network error, a 4xx from the SMTP server)."""


class ConfigError(UserError):
    """The configuration has one or more problems; ``problems`` lists each with its key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))
