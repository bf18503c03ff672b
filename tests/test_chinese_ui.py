"""The UI speaks Chinese: every register's pages, as the role that may use them, show no English left over
from Flask-Admin's defaults (its zh_Hans_CN catalogue through Flask-Babel, and our own strings)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from models.base import register_names
from models.reference import ACTIONS, FeeStandard, User
from tests.chinese_text import english_words, shown_text
from tests.factories import make_row, model_named
from tests.test_registers_walk import REFERENCE_NAMES, REGISTER_NAMES, catalogue, user_with

#: What tests.factories writes into a text field: 样 + a serial + the field's name.
FACTORY_TEXT = re.compile(r"样\d+[A-Za-z_]*")


@pytest.mark.parametrize("name", REGISTER_NAMES + REFERENCE_NAMES)
def test_register_pages_show_no_english(app: Flask, session: Any, as_user: Any, name: str) -> None:
    entry = catalogue(app, "--all")[name]
    row = make_row(session, model_named(name))
    actions = {"view"} if entry["readonly"] else set(ACTIONS)
    with app.app_context():
        user = as_user(user_with(session, name, actions, row))
    row_id = row.id
    identifiers = _identifiers(session)
    url = entry["url"]
    pages = [url, url + f"details/?id={row_id}"]
    if not entry["readonly"]:
        pages += [url + "new/", url + f"edit/?id={row_id}", url + "import/"]
    for page in pages:
        response = user.get(page)
        assert response.status_code == 200, page
        text = FACTORY_TEXT.sub(" ", shown_text(response.get_data(as_text=True)))
        words = english_words(text) - identifiers
        assert not words, f"{page} 页面上有英文:{sorted(words)}"

#: The names a chain step's condition is written in (admin_app/conditions.py), e.g. days >= 2.
CONDITION_NAMES = ("days", "amount")


def _identifiers(session: Any) -> set[str]:
    """Latin words that are data IT keys in, not text left over: login names, fee-standard codes and the
    model names that permissions and chains store (their pages show the register's name beside)."""
    session.expire_all()
    codes = [*session.scalars(sa.select(User.username)), *session.scalars(sa.select(FeeStandard.code)),
             *register_names(), *CONDITION_NAMES]
    return {word for code in codes for word in re.findall(r"[A-Za-z]{2,}", code)}
