"""Exchange groups (異業種交流グループ) and member companies; they carry over from year to year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.db import Base, UTCDateTime, utcnow
from eventapp.text import company_sort_key, gojuon_sort_key

SORT_KEY = String(300).with_variant(String(300, collation="C"), "postgresql")

company_groups = Table(
    "company_groups",
    Base.metadata,
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("exchange_groups.id", ondelete="CASCADE"), primary_key=True),
)


class ExchangeGroup(Base):
    __tablename__ = "exchange_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    reading: Mapped[str] = mapped_column(String(200))
    sort_key: Mapped[str] = mapped_column(SORT_KEY, index=True)
    founded_year: Mapped[int | None]
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    representative: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    companies: Mapped[list[Company]] = relationship(
        secondary=company_groups, back_populates="groups", order_by="Company.sort_key"
    )

    def refresh_sort_key(self) -> None:
        self.sort_key = gojuon_sort_key(self.reading)


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    reading: Mapped[str] = mapped_column(String(200), default="")
    sort_key: Mapped[str] = mapped_column(SORT_KEY, index=True)
    industry_code: Mapped[str] = mapped_column(String(1), default="")  # JSIC 大分類 A–T
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    groups: Mapped[list[ExchangeGroup]] = relationship(
        secondary=company_groups, back_populates="companies", order_by="ExchangeGroup.sort_key"
    )

    def refresh_sort_key(self) -> None:
        self.sort_key = company_sort_key(self.name, self.reading)
