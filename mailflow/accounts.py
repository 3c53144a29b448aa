"""Status-page accounts: argon2 password hashes and a lockout after repeated failures."""

from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from mailflow.app import App
from mailflow.db import models, transaction
from mailflow.errors import UserError

ROLES = ("coordinator", "viewer", "admin")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 10
_hasher = PasswordHasher()


def add_user(app: App, name: str, role: str, password: str) -> None:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not re.fullmatch(r"[A-Za-z0-9._@-]{2,64}", name):
        raise UserError("user names are 2-64 letters, digits, dots, dashes, @ or _")
    problem = weak_password(name, password)
    if problem:
        raise UserError(f"the password is too weak: {problem}")
    with transaction(app.sessions) as session:
        if session.scalar(select(models.User).where(models.User.name == name)):
            raise UserError(f"user {name} already exists")
        session.add(
            models.User(
                name=name,
                role=role,
                password_hash=_hasher.hash(password),
                created_at=app.clock.now(),
            )
        )


COMMON = ("password", "haslo", "hasło", "qwerty", "admin", "123456", "zaq12wsx", "mailflow")


def weak_password(name: str, password: str) -> str | None:
    """Why a password is too easy to guess, or None. Length alone does not make it strong."""
    lowered = password.lower()
    if len(password) < MIN_PASSWORD:
        return f"it must have at least {MIN_PASSWORD} characters"
    if len(set(lowered)) < 4:
        return "it repeats too few different characters"
    if lowered in "01234567890123456789" or lowered in "abcdefghijklmnopqrstuvwxyz":
        return "it is a run of consecutive characters"
    if name.lower() in lowered or any(word in lowered for word in COMMON):
        return "it contains the user name or a common password"
    return None


def end_sessions(app: App, user_id: int) -> None:
    """Every session cookie of this user stops working (logout, password change)."""
    with transaction(app.sessions) as session:
        user = session.get(models.User, user_id)
        if user is not None:
            user.session_generation = (user.session_generation or 0) + 1


def authenticate(app: App, name: str, password: str) -> models.User | None:
    """The user if the password is right and the account is not locked; counts failures."""
    now = app.clock.now()
    with transaction(app.sessions) as session:
        user = session.scalar(select(models.User).where(models.User.name == name))
        if user is None:
            _hasher.hash(password)  # same work as a real check, so timing does not tell names
            return None
        locked_until = user.locked_until
        if locked_until is not None and locked_until.tzinfo is None:
            locked_until = locked_until.replace(tzinfo=now.tzinfo)
        if locked_until is not None and locked_until > now:
            return None
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
            return None
        user.failed_logins = 0
        user.locked_until = None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        session.flush()
        session.expunge(user)
        return user
