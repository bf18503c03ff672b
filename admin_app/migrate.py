"""Schema changes through Alembic, driven by the app's own engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def revision(engine: Engine, message: str, rev_id: str | None = None) -> None:
    command.revision(alembic_config(engine), message=message, autogenerate=True, rev_id=rev_id)


def check(engine: Engine) -> None:
    """Raise if the models differ from what the migrations build."""
    command.check(alembic_config(engine))
