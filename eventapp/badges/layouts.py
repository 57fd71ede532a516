"""Sheet layouts: checking that labels fit the page, and a plain copy that worker processes can use."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.badges.models import FIT_TOLERANCE_MM, BadgeDesign, SheetLayout


class LayoutError(ValueError):
    """A layout whose labels do not fit its page, said in words an organiser can act on."""


class UnknownSheet(LookupError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown sheet {name!r}; known sheets: {', '.join(known)}")
        self.name = name
        self.known = known


@dataclass(frozen=True)
class LayoutSpec:
    name: str
    design: str
    page_width_mm: float
    page_height_mm: float
    label_width_mm: float
    label_height_mm: float
    columns: int
    rows: int
    margin_left_mm: float
    margin_top_mm: float
    pitch_x_mm: float
    pitch_y_mm: float

    @classmethod
    def of(cls, layout: SheetLayout) -> LayoutSpec:
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            value = getattr(layout, name)
            values[name] = value.value if isinstance(value, BadgeDesign) else value
        return cls(**values)

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def origin(self, index_on_page: int) -> tuple[float, float]:
        row, column = divmod(index_on_page, self.columns)
        return self.margin_left_mm + column * self.pitch_x_mm, self.margin_top_mm + row * self.pitch_y_mm

    def as_dict(self) -> dict:
        return asdict(self)


def _mm(value: float) -> str:
    return f"{value:g}"


def check_fits(spec: LayoutSpec) -> None:
    """Raise LayoutError unless every label lies on the page and no two labels overlap.
    The message is in the language of the page (or Japanese, outside a request)."""
    problems: list[str] = []
    if min(spec.page_width_mm, spec.page_height_mm, spec.label_width_mm, spec.label_height_mm) <= 0:
        problems.append(_("page and label sizes must be greater than 0 mm"))
    if spec.columns < 1 or spec.rows < 1:
        problems.append(_("there must be at least one label across and one down"))
    if spec.margin_left_mm < 0 or spec.margin_top_mm < 0:
        problems.append(_("margins cannot be negative"))
    if problems:
        raise LayoutError("; ".join(problems))
    if spec.columns > 1 and spec.pitch_x_mm + FIT_TOLERANCE_MM < spec.label_width_mm:
        problems.append(_("the horizontal pitch %(pitch)s mm is less than the label width %(width)s mm, so labels "
                          "would overlap", pitch=_mm(spec.pitch_x_mm), width=_mm(spec.label_width_mm)))
    if spec.rows > 1 and spec.pitch_y_mm + FIT_TOLERANCE_MM < spec.label_height_mm:
        problems.append(_("the vertical pitch %(pitch)s mm is less than the label height %(height)s mm, so labels "
                          "would overlap", pitch=_mm(spec.pitch_y_mm), height=_mm(spec.label_height_mm)))
    right = spec.margin_left_mm + (spec.columns - 1) * spec.pitch_x_mm + spec.label_width_mm
    bottom = spec.margin_top_mm + (spec.rows - 1) * spec.pitch_y_mm + spec.label_height_mm
    if right > spec.page_width_mm + FIT_TOLERANCE_MM:
        problems.append(_("the labels reach %(reach)s mm across but the page is %(page)s mm wide",
                          reach=_mm(right), page=_mm(spec.page_width_mm)))
    if bottom > spec.page_height_mm + FIT_TOLERANCE_MM:
        problems.append(_("the labels reach %(reach)s mm down but the page is %(page)s mm high",
                          reach=_mm(bottom), page=_mm(spec.page_height_mm)))
    if problems:
        raise LayoutError("; ".join(problems))


def all_layouts(session: Session) -> list[SheetLayout]:
    return list(session.scalars(select(SheetLayout).order_by(SheetLayout.is_default.desc(), SheetLayout.id)))


def layout_named(session: Session, name: str | None) -> SheetLayout:
    """The named layout, or the default one when no name is given."""
    if not name:
        default = session.scalar(select(SheetLayout).where(SheetLayout.is_default.is_(True)))
        if default is not None:
            return default
        name = "card-a4-2x5"
    layout = session.scalar(select(SheetLayout).where(SheetLayout.name == name))
    if layout is None:
        raise UnknownSheet(name, [known.name for known in all_layouts(session)])
    return layout
