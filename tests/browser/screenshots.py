"""Full-page screenshots of the public and organiser pages, for a person to look at (not a test).

    .venv/bin/python -m tests.browser.screenshots OUTDIR

Builds a throwaway SQLite database from the migrations, fills it with an event and some registrations,
serves it from a thread on 127.0.0.1 and drives Chromium through every page in Japanese and English,
at phone size (390×844, 2× pixels) and desktop size (1280×900). Prints any page that scrolls sideways.
"""

from __future__ import annotations

import re
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from eventapp import create_app
from eventapp.config import MIGRATIONS_DIR, TestConfig
from eventapp.db import db
from eventapp.text import gojuon_sort_key
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

MIGRATIONS = MIGRATIONS_DIR
ORGANISER_EMAIL = "jimukyoku@example.jp"
ORGANISER_PASSWORD = "organiser-password-123"
SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1},
}
PEOPLE = [
    # family, given, family kana, given kana, company, department, category, group
    ("髙﨑", "太郎", "タカサキ", "タロウ", "株式会社サンプル精工", "技術開発部", "member", 0),
    ("山田", "花子", "ヤマダ", "ハナコ", "有限会社やまだ製作所", "", "exhibitor", 1),
    ("吉田", "一郎", "ヨシダ", "イチロウ", "合同会社テックブリッジ", "営業企画部", "general", None),
    ("佐藤", "美咲", "サトウ", "ミサキ", "東京電子工業株式会社", "総務部", "speaker", 0),
    ("ヴィラール", "ジャン", "ヴィラール", "ジャン", "Villard Consulting", "", "general", None),
]


def build_app(workdir: Path):
    from flask_migrate import upgrade

    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'shots.sqlite3'}",
                  JOBS_SQLITE_PATH=str(workdir / "jobs.sqlite3"), PUBLIC_BASE_URL="")
    app = create_app(config)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        slug = _fill(db.session)
        db.session.remove()
    return app, slug


def _fill(session) -> str:
    from eventapp.accounts.models import Role
    from eventapp.accounts.services import create_user
    from eventapp.directory.models import ExchangeGroup
    from eventapp.events.models import CategoryCode
    from tests.helpers import make_event, make_registration

    create_user(session, email=ORGANISER_EMAIL, display_name="事務局 太郎", password=ORGANISER_PASSWORD,
                role=Role.ORGANISER)
    groups = []
    for name, reading in (("城東異業種交流会", "ジョウトウイギョウシュコウリュウカイ"),
                          ("多摩テクノフォーラム", "タマテクノフォーラム")):
        group = ExchangeGroup(name=name, reading=reading, sort_key=gojuon_sort_key(reading))
        session.add(group)
        groups.append(group)
    session.flush()
    event = make_event(session, capacity=120, category_capacities={CategoryCode.EXHIBITOR: 40},
                       description_ja="毎年2月、都内の異業種交流グループと会員企業が集まり、製品展示・名刺交換・"
                                      "発表を通じて新しいビジネスのきっかけをつくります。",
                       description_en="Every February the exchange groups and their member companies meet.",
                       venue_map_url="https://www.iri-tokyo.jp/")
    for n, (family, given, fkana, gkana, company, dept, category, group) in enumerate(PEOPLE, start=1):
        make_registration(session, event, n, family_name=family, given_name=given, family_kana=fkana,
                          given_kana=gkana, company_name=company, department=dept, category_code=category,
                          group_id=groups[group].id if group is not None else None, postcode="1350064",
                          romaji="TAKASAKI Taro" if n == 1 else "", email=f"person{n}@example.jp")
    session.commit()
    return event.slug


def serve(app) -> tuple[str, Callable[[], None]]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.server_port}", stop


class Shooter:
    def __init__(self, outdir: Path, base: str, slug: str) -> None:
        self.outdir, self.base, self.slug = outdir, base, slug
        self.saved: list[Path] = []
        self.problems: list[str] = []

    def shot(self, page: Page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready")
        path = self.outdir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)
        overflow = page.evaluate("""() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')].filter(el => {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.right <= width + 1) return false;
                for (let p = el.parentElement; p; p = p.parentElement) {   // inside a scroll box is fine
                    const s = getComputedStyle(p);
                    if (/(auto|scroll)/.test(s.overflowX) && p.scrollWidth > p.clientWidth) return false;
                }
                return true;
            });
            return {scroll: document.documentElement.scrollWidth - width,
                    wide: wide.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))};
        }""")
        if overflow["scroll"] > 0 or overflow["wide"]:
            self.problems.append(f"{path.name}: {overflow['scroll']}px sideways scroll; too wide: {overflow['wide']}")

    def run(self, context: BrowserContext, prefix: str, locale: str) -> None:
        page = context.new_page()
        base, slug = self.base, self.slug
        page.goto(f"{base}/events/{slug}?lang={locale}")
        self.shot(page, f"{prefix}-01-event")

        page.goto(f"{base}/events/{slug}/register")
        self.shot(page, f"{prefix}-02-register")

        page.locator("#category-3").check()  # 一般 / General public
        page.locator("#family_kana").fill("山田")
        page.locator("#given_name").fill("太郎")
        page.locator("#email").fill("taro＠example.jp")
        page.locator("#email_confirm").fill("taro@example.jp")
        page.locator("#phone").fill("03-1234")
        page.locator("#postcode").fill("135")
        page.locator("button[type=submit]").click()
        page.locator("#error-summary").wait_for()
        self.shot(page, f"{prefix}-03-register-errors")

        page.locator("#family_name").fill("髙﨑")
        page.locator("#family_kana").fill("ﾀｶｻｷ")
        page.locator("#given_kana").fill("たろう")
        page.locator("#email").fill(f"shot-{prefix}@example.jp")
        page.locator("#email_confirm").fill(f"shot-{prefix}@example.jp")
        page.locator("#phone").fill("０３－１２３４－５６７８")
        page.locator("#postcode").fill("１３５－００６４")
        page.locator("#company_name").fill("株式会社サンプル精工")
        page.locator("#department").fill("技術開発部")
        page.locator("#attends_party-0").check()
        page.locator("#consent_privacy").check()
        page.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/register/done"))
        page.locator("img[data-qr]").wait_for()
        self.shot(page, f"{prefix}-04-confirmation")

        page.locator("a[href$='/ticket']").first.click()  # the ticket as shown at the door
        page.wait_for_url(re.compile(r"/my/[^/]+/ticket$"))
        page.locator("img[data-qr]").wait_for()
        self.shot(page, f"{prefix}-04b-ticket")

        page.locator(".ticket-actions a:not([href$='.pdf'])").click()  # back to "my registration"
        page.wait_for_url(re.compile(r"/my/[^/]+$"))
        self.shot(page, f"{prefix}-05-my-registration")
        page.locator("a.danger-link").click()
        self.shot(page, f"{prefix}-06-cancel-confirm")

        page.goto(f"{base}/login")
        self.shot(page, f"{prefix}-07-login")
        page.locator("#email").fill(ORGANISER_EMAIL)
        page.locator("#password").fill(ORGANISER_PASSWORD)
        page.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/admin/"))

        page.goto(f"{base}/admin/")
        self.shot(page, f"{prefix}-08-dashboard")
        page.goto(f"{base}/admin/registrations")
        self.shot(page, f"{prefix}-09-registrations")
        detail = page.locator("main a[href*='/admin/registrations/']").filter(has_text=re.compile("髙﨑|タカサキ"))
        if detail.count():
            detail.first.click()
            page.wait_for_load_state()
            self.shot(page, f"{prefix}-10-registration-detail")
        page.goto(f"{base}/admin/outbox/")
        self.shot(page, f"{prefix}-11-outbox")
        page.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    outdir = Path(argv[0]).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eventapp-shots-") as tmp:
        app, slug = build_app(Path(tmp))
        base, stop = serve(app)
        shooter = Shooter(outdir, base, slug)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for locale in ("ja", "en"):
                    for size, options in SIZES.items():
                        context = browser.new_context(locale="ja-JP" if locale == "ja" else "en-GB",
                                                      timezone_id="Asia/Tokyo", **options)
                        context.set_default_timeout(15_000)
                        shooter.run(context, f"{locale}-{size}", locale)
                        context.close()
                browser.close()
        finally:
            stop()
            with app.app_context():
                db.engine.dispose()
    for path in shooter.saved:
        print(path)
    for problem in shooter.problems:
        print("OVERFLOW", problem, file=sys.stderr)
    return 1 if shooter.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
