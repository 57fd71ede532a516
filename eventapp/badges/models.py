"""Paper layouts for badges, as data: page, label size, grid, margins and pitch in millimetres."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from eventapp.db import Base, StrEnumType, UTCDateTime, utcnow

FIT_TOLERANCE_MM = 0.01


class BadgeDesign(enum.StrEnum):
    CARD = "card"  # business-card size: name, company, group, QR side by side
    LARGE = "large"  # A6 and up: QR below the name, room for everything


class SheetLayout(Base):
    __tablename__ = "sheet_layouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)  # used on the command line: --sheet NAME
    label_ja: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    design: Mapped[BadgeDesign] = mapped_column(StrEnumType(BadgeDesign))
    page_width_mm: Mapped[float]
    page_height_mm: Mapped[float]
    label_width_mm: Mapped[float]
    label_height_mm: Mapped[float]
    columns: Mapped[int]
    rows: Mapped[int]
    margin_left_mm: Mapped[float]
    margin_top_mm: Mapped[float]
    pitch_x_mm: Mapped[float]  # left edge to left edge of neighbouring labels
    pitch_y_mm: Mapped[float]  # top edge to top edge
    is_default: Mapped[bool] = mapped_column(default=False)
    builtin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_ja

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def label_origin(self, index_on_page: int) -> tuple[float, float]:
        """Top-left corner (x, y) in mm of the n-th label on a page, filled row by row."""
        row, column = divmod(index_on_page, self.columns)
        return self.margin_left_mm + column * self.pitch_x_mm, self.margin_top_mm + row * self.pitch_y_mm
