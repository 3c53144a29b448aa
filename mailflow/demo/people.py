"""Simulated people who read their own mailbox over IMAP and answer over SMTP.

They exist for ``mailflow demo`` and for the end-to-end tests: the vendors, officials and the
contractor of a campaign year, each a small function from "a message arrived" to "the replies
I write". They use only the mail servers, never mailflow's database, so everything mailflow
learns it learns the way it would from real people.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid, parseaddr

from imap_tools import AND, MailBoxUnencrypted

from mailflow.tokens import find_tag


@dataclass(frozen=True)
class MailWorld:
    """Where the simulated people read and send mail, and how each one logs in."""

    host: str
    imap_port: int
    smtp_port: int
    login: Callable[[str], tuple[str, str]]  # address -> (IMAP login, password)


@dataclass(frozen=True)
class Received:
    """One message a person found in their inbox."""

    raw: bytes
    message: Message
    subject: str
    text: str
    reply_to: str
    message_id: str
    attachments: tuple[tuple[str, bytes], ...]

    @property
    def code(self) -> str | None:
        tag = find_tag(self.subject)
        return tag.code if tag else None


@dataclass(frozen=True)
class Reply:
    text: str
    attachments: Sequence[tuple[str, str, bytes]] = ()  # filename, content type, data
    sender: str | None = None  # another From than the person's own (a forgery)
    subject: str | None = None
    quote: bool = True


Behaviour = Callable[["Person", Received, datetime], list[Reply]]


@dataclass
class Person:
    address: str
    name: str
    behaviour: Behaviour
    seen: set[str] = field(default_factory=set)
    memory: dict[str, object] = field(default_factory=dict)
    sent: int = 0
    read: int = 0


def read(raw: bytes) -> Received:
    message = message_from_bytes(raw, policy=default_policy)
    text = ""
    attachments: list[tuple[str, bytes]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename:
            payload = part.get_payload(decode=True)
            attachments.append((filename, payload if isinstance(payload, bytes) else b""))
        elif part.get_content_type() == "text/plain" and not text:
            text = part.get_content()
    reply_to = parseaddr(str(message.get("Reply-To") or message.get("From") or ""))[1]
    return Received(
        raw,
        message,
        str(message.get("Subject", "")),
        text,
        reply_to,
        str(message.get("Message-ID", "")),
        tuple(attachments),
    )


def compose(person: Person, received: Received, reply: Reply, now: datetime) -> tuple[str, bytes]:
    """A reply as mail clients write it: Re: subject, In-Reply-To, the original quoted below."""
    message = EmailMessage()
    sender = reply.sender or person.address
    message["From"] = f"{person.name} <{sender}>" if reply.sender is None else sender
    message["To"] = received.reply_to
    subject = reply.subject or received.subject
    message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "example.pl")
    if received.message_id:
        message["In-Reply-To"] = received.message_id
        message["References"] = received.message_id
    body = reply.text
    if reply.quote and received.text:
        quoted = "\n".join("> " + line for line in received.text.splitlines())
        body += f"\n\nW dniu {format_datetime(now)} mailflow napisał(a):\n{quoted}\n"
    message.set_content(body)
    for filename, content_type, data in reply.attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return sender, message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


class Postman:
    """Runs the people: each reads what is new in their inbox and sends their replies."""

    def __init__(self, world: MailWorld, people: Sequence[Person]) -> None:
        self.world = world
        self.people = {p.address.lower(): p for p in people}
        self._open: dict[str, MailBoxUnencrypted] = {}

    def _mailbox(self, address: str) -> MailBoxUnencrypted:
        """Each person stays logged in, as a mail client does; a broken connection reopens."""
        box = self._open.get(address)
        if box is not None:
            try:
                box.folder.set("INBOX")  # re-select: the server reports what arrived since
                return box
            except Exception:
                self._open.pop(address, None)
        login, password = self.world.login(address)
        box = MailBoxUnencrypted(self.world.host, self.world.imap_port, timeout=30).login(
            login, password
        )
        self._open[address] = box
        return box

    def close(self) -> None:
        for box in self._open.values():
            with contextlib.suppress(Exception):
                box.logout()
        self._open.clear()

    def round(self, now: datetime) -> int:
        """One round: everyone reads new mail and replies. Returns the number of replies."""
        sent = 0
        for person in self.people.values():
            box = self._mailbox(person.address)
            uids = [u for u in box.uids() if u not in person.seen]
            new = list(box.fetch(AND(uid=uids), mark_seen=False, bulk=True)) if uids else []
            for item in new:
                person.seen.add(item.uid or "")
                person.read += 1
                received = read(item.obj.as_bytes())
                for reply in person.behaviour(person, received, now):
                    self.send(*compose(person, received, reply, now), received.reply_to)
                    person.sent += 1
                    sent += 1
        return sent

    def send(self, sender: str, raw: bytes, to: str) -> None:
        with smtplib.SMTP(self.world.host, self.world.smtp_port, timeout=30) as smtp:
            smtp.sendmail(sender, [to], raw)

    def write(
        self,
        person: Person,
        to: str,
        subject: str,
        text: str,
        now: datetime,
        attachments: Sequence[tuple[str, str, bytes]] = (),
    ) -> None:
        """A new message (not a reply), e.g. a contractor's progress report."""
        fake = Received(b"", EmailMessage(), subject, "", to, "", ())
        sender, raw = compose(
            person, fake, Reply(text, attachments, subject=subject, quote=False), now
        )
        raw = raw.replace(b"Subject: Re: ", b"Subject: ", 1)
        self.send(sender, raw, to)
        person.sent += 1

    def inbox(self, address: str) -> list[Received]:
        box = self._mailbox(address)
        return [
            read(m.obj.as_bytes()) for m in box.fetch(AND(all=True), mark_seen=False, bulk=True)
        ]
