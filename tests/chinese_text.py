"""What a page says to its reader, and the English words in it.

The words a user reads: text outside scripts and styles, and the attributes a browser shows (tooltips,
placeholders, button captions, accessible names). Codes the handbook prints (XST-HD-KF-002, QJD-20261204-005)
and a few names Chinese offices write in Latin letters are not English left over.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Latin words a Chinese service centre writes as they are.
ALLOWED = {"PDF", "XLSX", "xlsx", "CSV", "Excel", "WPS", "IT", "OTE", "ID", "YYYY", "MM", "DD", "HH", "SS",
           "MB", "VIP", "QQ", "LED", "kg",
           "BI", "Party"}  # the handbooks' own words: 仪容仪表符合BI规范, 宝宝满月Party
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-placeholder", "data-confirm"}
#: Hidden elements holding JSON for Flask-Admin's scripts, never shown as they are.
DATA_ELEMENTS = {"filter-groups-data", "active-filters-data", "execute-view-data",
                 "actions-confirmation-data", "message-data"}
CODE = re.compile(r"\b[A-Z0-9]+(?:-[A-Z0-9]+)+\b")  # form codes and document numbers
HASH = re.compile(r"\b[0-9a-f]{32,}\b")  # the audit log's hash chain
# A command IT runs (named in the audit log's help) and the catalogue file IT reads (REGISTERS.md).
COMMAND = re.compile(r"flask --app admin_app [a-z -]+|\bREGISTERS\.md\b")
WORD = re.compile(r"[A-Za-z]{2,}")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_until: str | None = None  # the end tag of the script, style or data element we are in
        self._template = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self._template = "inline-field-template" in (values.get("class") or "")
        if tag in ("script", "style") or values.get("id") in DATA_ELEMENTS or self._template:
            self._hidden_until = tag  # none of them holds an element of its own tag
        self.parts.extend(v for k, v in values.items() if k in SHOWN_ATTRIBUTES and v)
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._hidden_until:
            self._hidden_until = None

    def handle_data(self, data: str) -> None:
        if self._hidden_until is None:
            self.parts.append(data)
        elif self._template:  # a new line item's form, escaped into the page until 添加 shows it
            self.parts.append(shown_text(data))


def shown_text(page: str) -> str:
    reader = _Reader()
    reader.feed(page)
    return "\n".join(part.strip() for part in reader.parts if part.strip())


def english_words(text: str) -> set[str]:
    return {w for w in WORD.findall(CODE.sub(" ", COMMAND.sub(" ", HASH.sub(" ", text)))) if w not in ALLOWED}
