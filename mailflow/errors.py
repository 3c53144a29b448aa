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


class ReadingRefused(PermanentError):
    """A message or an attachment that is not read: too large, too deep, broken or hostile.

    ``str(error)`` is the English one-liner (the CLI, the log); ``polish`` is the reason an
    official reads in the quarantine, naming the file and the limit, never a Python error.
    Each subclass names one kind of refusal; ``code`` is that name for counts and tests.
    """

    code = "refused"

    def __init__(self, english: str, polish: str = "") -> None:
        super().__init__(english)
        self.polish = polish or english


class TooLargeToRead(ReadingRefused):
    """Over a size limit: the message, an attachment, or what it unpacks to."""

    code = "too_large"


class TooComplexToRead(ReadingRefused):
    """Over a limit of structure: nesting, parts, objects on a page, cells in a sheet."""

    code = "too_complex"


class BrokenFile(ReadingRefused):
    """Bytes that do not make the file they claim to be."""

    code = "broken"


class DangerousFile(ReadingRefused):
    """A file built to attack a reader: macros, a zip bomb, XML entities."""

    code = "dangerous"


class EncryptedFile(ReadingRefused):
    """A password-protected file: it cannot be read without the password."""

    code = "encrypted"


class UnsupportedFile(ReadingRefused):
    """A file in a format or a variant we do not read (old binary Office, zip 10.2 ...)."""

    code = "unsupported"


class ReaderFailed(ReadingRefused):
    """A reader failed in a way nobody foresaw: a bug to fix, reported without its internals."""

    code = "reader_failed"
