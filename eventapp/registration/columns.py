"""The columns of the registrations CSV and Excel files, shared by the export and the import.

Headers are Japanese and fixed (they are a file format, not page text): a group can fill in the
template, an organiser can re-read an export. Keys are the registration form's field names, so an
import error on a field can name its column.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventapp.registration.models import RegistrationStatus
from eventapp.text import normalize_text


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    importable: bool = True
    required: bool = False  # for the import


COLUMNS: tuple[Column, ...] = (
    Column("receipt_code", "受付番号", importable=False),
    Column("status", "状態", importable=False),
    Column("category", "参加区分", required=True),
    Column("family_name", "姓", required=True),
    Column("given_name", "名", required=True),
    Column("family_kana", "セイ", required=True),
    Column("given_kana", "メイ", required=True),
    Column("romaji", "氏名ローマ字"),
    Column("company_name", "会社名"),
    Column("company_kana", "会社名フリガナ"),
    Column("department", "部署"),
    Column("job_title", "役職"),
    Column("industry_code", "業種"),
    Column("employees_band", "従業員数"),
    Column("group_id", "所属グループ"),
    Column("email", "メール", required=True),
    Column("phone", "電話"),
    Column("postcode", "郵便番号"),
    Column("address", "住所"),
    Column("attends_party", "懇親会"),
    Column("message", "通信欄"),
    Column("consent_privacy", "個人情報利用同意"),
    Column("consent_share_with_exhibitors", "名簿提供同意"),
    Column("consent_name_in_programme", "プログラム掲載同意"),
    Column("consent_lead_scanning", "バッジ読取同意"),
    Column("created_at", "申込日時", importable=False),
)

HEADER_OF = {c.key: c.header for c in COLUMNS}
IMPORT_COLUMNS = tuple(c for c in COLUMNS if c.importable)
REQUIRED_IMPORT_KEYS = tuple(c.key for c in IMPORT_COLUMNS if c.required)
CONSENT_KEYS = ("consent_privacy", "consent_share_with_exhibitors", "consent_name_in_programme",
                "consent_lead_scanning")

# Other spellings people put in the header row of their own lists.
HEADER_ALIASES = {
    "メールアドレス": "email", "Eメール": "email", "E-mail": "email", "email": "email",
    "電話番号": "phone", "〒": "postcode", "郵便番号(〒)": "postcode",
    "会社名(フリガナ)": "company_kana", "会社名ふりがな": "company_kana",
    "せい": "family_kana", "めい": "given_kana", "姓(フリガナ)": "family_kana", "名(フリガナ)": "given_kana",
    "グループ": "group_id", "所属グループ名": "group_id", "区分": "category", "ローマ字": "romaji",
}

STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: "参加",
    RegistrationStatus.WAITLISTED: "補欠",
    RegistrationStatus.CANCELLED: "キャンセル",
}
YES, NO = "はい", "いいえ"
PARTY_YES, PARTY_NO = "出席", "欠席"
TRUE_WORDS = frozenset({"はい", "出席", "参加", "する", "有", "あり", "同意", "同意する", "○", "〇", "◯", "yes", "y",
                        "true", "1"})
FALSE_WORDS = frozenset({"いいえ", "欠席", "不参加", "しない", "無", "なし", "不同意", "同意しない", "×", "✕", "no", "n",
                         "false", "0", "-", "ー"})


def key_for_header(header: str) -> str | None:
    """The column key a header cell names (NFKC, spaces ignored), or None."""
    cleaned = normalize_text(header).replace(" ", "")
    for column in COLUMNS:
        if cleaned == column.header:
            return column.key
    return HEADER_ALIASES.get(cleaned) or HEADER_ALIASES.get(cleaned.lower())


def yes_no(value: bool) -> str:
    return YES if value else NO


def parse_yes_no(value: str) -> bool | None:
    """True/False for the words people write in a yes/no column; None when it is neither."""
    cleaned = normalize_text(value).lower()
    if cleaned in TRUE_WORDS:
        return True
    if cleaned in FALSE_WORDS or cleaned == "":
        return False
    return None
