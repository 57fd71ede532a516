"""Small helpers shared by views (request-side only; services never import this)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import request
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from eventapp.db import db

ACTOR_MAX_LENGTH = 120  # RegistrationChange.actor
PER_PAGE = 50  # rows on a page of every list; ?per_page= is not read
# A deeper ?page= is taken as this one (and so ends on the last page): (page - 1) * PER_PAGE must stay far
# inside the 64-bit integers SQLite and PostgreSQL take for OFFSET.
MAX_PAGE = 1_000_000


def actor_name() -> str:
    name = f"organiser:{current_user.email}" if current_user.is_authenticated else "attendee"
    return name[:ACTOR_MAX_LENGTH]  # an e-mail may have 254 characters


def page_arg() -> int:
    """?page= as a page number: anything but a whole number ≥ 1 is page 1 (abc, 0, -1, 1.5), a huge one MAX_PAGE."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


def paginate(stmt: Select, *, page: int, per_page: int = PER_PAGE) -> Pagination:
    """One page of `stmt` by Flask-SQLAlchemy (db.paginate). `stmt` selects one entity, ordered with a unique
    tie-breaker last (the id) so that rows never repeat or go missing from page to page. A page past the end
    shows the last page, so that whoever deleted the last row of the last page stays on the list."""
    return _last_page_if_beyond(lambda number: db.paginate(
        stmt, page=number, per_page=per_page, max_per_page=per_page, error_out=False, count=True), page)


def paginate_ids(ids: Sequence[int], load: Callable[[Sequence[int]], list[Any]], *, page: int,
                 per_page: int = PER_PAGE) -> Pagination:
    """The same Pagination for an order that SQL cannot express: `ids` are all the rows' ids, already in order;
    `load` fetches the rows of one page's ids, in that order."""
    return _last_page_if_beyond(lambda number: _OrderedIdsPagination(
        ids=ids, load=load, page=number, per_page=per_page, max_per_page=per_page, error_out=False, count=True),
        page)


def _last_page_if_beyond(make: Callable[[int], Pagination], page: int) -> Pagination:
    result = make(min(max(page, 1), MAX_PAGE))
    if not result.items and result.page > 1 and result.pages:
        result = make(result.pages)
    return result


class _OrderedIdsPagination(Pagination):
    """Flask-SQLAlchemy's Pagination (the subclass hooks its base class documents) over a list of ids."""

    def _query_items(self) -> list[Any]:
        ids = self._query_args["ids"][self._query_offset:self._query_offset + self.per_page]
        return self._query_args["load"](ids) if ids else []

    def _query_count(self) -> int:
        return len(self._query_args["ids"])
