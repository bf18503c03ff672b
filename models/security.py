"""What signing in leaves in the database: every login attempt, and every open session.

Kept in the database, not in process memory, so that every worker and server agrees on who is
locked out and which sessions have ended.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from admin_app.clock import now
from models.base import Base


class LoginAttempt(Base):
    """One try at the login page: the name typed, the address it came from, and what happened."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "attempted_at"),
        Index("ix_login_attempts_remote_addr_at", "remote_addr", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50))
    remote_addr: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)
    #: 成功 (signed in), 失败 (wrong name or password) or 拒绝 (refused while locked, not checked).
    outcome: Mapped[str] = mapped_column(String(4))


class UserSession(Base):
    """A signed-in browser. Its token lives in the signed cookie; only the token's hash is stored.

    Logging out ends the row, so a copy of the cookie taken before is worthless afterwards.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended: Mapped[bool] = mapped_column(Boolean, default=False)
