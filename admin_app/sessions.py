"""Server-side sessions behind Flask's signed cookie.

A signed cookie stays valid until its signature expires, whatever the server thinks: logging out
only asks the browser to forget it. So the cookie (and the remember-me cookie) carries a random
token instead of the user id, and the token counts only while its ``user_sessions`` row is open and
unexpired. Logging out, a new password or an expired shift ends the row, and every copy of the
cookie with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from admin_app.clock import now
from models.reference import User
from models.security import UserSession

#: Ended and expired rows are deleted this long after their expiry.
KEEP = dt.timedelta(days=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User, remote_addr: str, lifetime: dt.timedelta) -> str:
    """Start a session for ``user``; returns the token for the cookie (the caller commits)."""
    token = secrets.token_urlsafe(32)
    started = now()
    session.execute(delete(UserSession).where(UserSession.expires_at < started - KEEP))
    session.add(UserSession(token_hash=_hash(token), user_id=user.id, remote_addr=remote_addr[:64],
                            started_at=started, expires_at=started + lifetime))
    return token


def user_of(session: Session, token: str) -> User | None:
    """The active user of an open, unexpired session, else ``None``."""
    # One statement on every request: the session row, its user with the roles and buildings that
    # permissions and row scope read.
    found = session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == _hash(token))
        .options(joinedload(User.roles), joinedload(User.buildings))
    ).unique().first()
    if found is None:
        return None
    row, user = found
    return user if not row.ended and row.expires_at > now() and user.active else None


def end_session(session: Session, token: str) -> None:
    session.execute(update(UserSession).where(UserSession.token_hash == _hash(token)).values(ended=True))


def end_sessions_of(session: Session, user_id: int) -> None:
    """End every session of a user (a new password signs out every browser)."""
    session.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.ended.is_(False))
                    .values(ended=True))
