"""``mailflow check-config --connect``: log in to IMAP and SMTP and say what worked."""

from __future__ import annotations

from mailflow.config import Config
from mailflow.errors import MailflowError


def check_imap(config: Config) -> tuple[bool, str]:
    from mailflow.intake import imap_login

    try:
        with imap_login(config) as connection:
            state = connection.select(config.imap.folder, readonly=True)
            idle = "IDLE" if connection.supports_idle else "no IDLE (polling)"
            return True, (
                f"logged in as {config.imap.username}; {config.imap.folder} has "
                f"{state.exists} messages; {idle}"
            )
    except MailflowError as error:
        return False, str(error)


def check_smtp(config: Config) -> tuple[bool, str]:
    from mailflow.outbox import check_smtp_login

    try:
        reply = check_smtp_login(config)
    except MailflowError as error:
        return False, str(error)
    who = f"logged in as {config.smtp.username}" if config.smtp.username else "connected"
    return True, f"{who} to {config.smtp.host}:{config.smtp.port} ({reply})"


def check_connections(config: Config) -> list[tuple[str, bool, str]]:
    """One (service, worked, one-line detail) per service."""
    return [("imap", *check_imap(config)), ("smtp", *check_smtp(config))]
