"""One small hierarchy of domain errors.

The CLI turns a :class:`UserError` into one line on stderr and exit code 1; the daemon turns
any error raised while handling a message into a quarantine entry with ``str(error)`` as the
reason. Only bugs (anything that is not a :class:`MailflowError`) give a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Self


class MailflowError(Exception):
    """Base of every error mailflow raises on purpose."""


class UserError(MailflowError):
    """Bad input from a person: a config value, a file, a command-line argument.

    An error a person may meet on the status page is raised with :meth:`of`, which keeps the
    English template and its values apart, so the page can show it in its own language.
    """

    # Class-level defaults: an error raised the plain way (or a subclass with its own
    # ``__init__``) has no template, and the page shows ``str(error)`` as it is.
    template: str | None = None
    params: Mapping[str, object] = MappingProxyType({})

    @classmethod
    def of(cls, template: str, /, **params: object) -> Self:
        """An error whose text can be translated: ``template`` uses ``%(name)s`` placeholders.

        ``str(error)`` is the English template filled in (what the CLI prints); the page looks
        the template up in its catalogue and fills it in the same way. The style is gettext's,
        and like flask-babel's ``gettext`` a template without values is not %-formatted, so
        both sides read one template the same way.
        """
        error = cls(template % params if params else template)
        error.template = template
        error.params = params
        return error


class PermanentError(MailflowError):
    """Retrying will not help (a malformed message, a 5xx from the SMTP server)."""


class TransientError(MailflowError):
    """Retrying later may help (a network error, a 4xx from the SMTP server)."""


class ConfigError(UserError):
    """The configuration has one or more problems; ``problems`` lists each with its key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))
