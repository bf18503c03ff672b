"""List counts that do not grow with the table: a page never counts more rows than it can use.

Flask-Admin counts every matching row for its pager (``SELECT count(*)``), which at a million rows is the
slowest statement of the page. A list page only needs to know whether the rows go on a little beyond it,
so the count stops at :data:`AHEAD` rows past the page shown; a count that reached the bound reads
"2,020+" and the pager still offers the pages up to it (and further pages as the user moves on).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Query

#: Rows counted beyond the end of the page shown: a hundred pages of 20 ahead. A selective filter (投诉 among
#: a million calls) reads rows in proportion to it, so it is what the count costs.
AHEAD = 2_000


class AtLeast(int):
    """A count that stopped at its bound: the pager computes with it, the page shows "2,020+"."""

    def __str__(self) -> str:
        return f"{int(self):,}+"


class BoundedCountQuery(Query):
    """Flask-Admin's count query (it adds the search's and filters' joins and conditions to it), counted
    up to ``bound`` rows only."""

    bound: int | None = None

    def scalar(self) -> Any:
        if self.bound is None:
            return super().scalar()
        rows = self.with_entities(sa.literal_column("1")).order_by(None).limit(self.bound).subquery()
        count = self.session.execute(sa.select(sa.func.count()).select_from(rows)).scalar_one()
        return AtLeast(count) if count >= self.bound else count


def count_query(session: Any, model: type[Any], page: int | None, page_size: int | None) -> BoundedCountQuery:
    """Flask-Admin's ``count(*)`` over ``model``, counting no further than :data:`AHEAD` rows past page
    ``page`` (0-based) of ``page_size`` rows."""
    query = BoundedCountQuery([sa.func.count("*")], session()).select_from(model)
    query.bound = ((page or 0) + 1) * (page_size or 20) + AHEAD
    return query
