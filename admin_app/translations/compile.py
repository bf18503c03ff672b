"""Compile the Chinese catalogue Flask-Admin reads (its shipped .mo lags behind its .po).

Run after editing ``admin.po``: ``.venv/bin/python -m admin_app.translations.compile``.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

HERE = Path(__file__).parent


def compile_all() -> list[Path]:
    written = []
    for po in HERE.glob("*/LC_MESSAGES/*.po"):
        with po.open("rb") as f:
            catalog = read_po(f)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(path)
