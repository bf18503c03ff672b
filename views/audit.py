"""审计日志: the read-only register of audit entries, newest first."""

from __future__ import annotations

from typing import Any

from models.base import Base
from views.history import changes_table
from views.register_view import RegisterView


class AuditView(RegisterView):
    """Newest first; each entry's changes as a table of labelled fields."""

    @staticmethod
    def derived_settings(model: type[Base]) -> dict[str, Any]:
        settings = RegisterView.derived_settings(model)
        settings["column_default_sort"] = ("id", True)
        settings["column_formatters"] = {**settings["column_formatters"], "changes": changes_table}
        return settings
