"""In headless Chromium: each role logs in through the form and lands on its own home page."""
import os

import pytest

from supervision import db
from supervision.roles import ROLE_LABELS
from supervision.services.demo import DEMO_PASSWORD, DEMO_USERS, load_demo

EXPECT = {
    "admin": "被锁定的账户",
    "security_auditor": "最近的审计记录",
    "inspector": "开展督导检查",
    "supervisor": "审核他人起草的整改通知书和通报",
    "complaint_handler": "受理和办理网民投诉",
    "leader": "查阅各平台评分",
    "platform": "平台工作要求",
}
NAV = {"admin": "用户管理", "security_auditor": "审计日志", "platform": "本平台"}


@pytest.fixture
def demo_app(live_app):
    with live_app.app_context():
        load_demo(db.session())
        db.session().commit()
    return live_app


def test_each_role_logs_in_and_sees_its_home(demo_app, browser, tmp_path):
    base = demo_app.config["LIVE_URL"]
    first_of_role = {}
    for username, _display, role, _p in DEMO_USERS:
        first_of_role.setdefault(role, username)
    for role, username in first_of_role.items():
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(base + "/")
        assert page.url.endswith("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert page.url == base + "/", (role, page.url)
        heading = page.inner_text("h1")
        assert "工作台" in heading and ROLE_LABELS[role] in heading
        body = page.inner_text("main")
        assert EXPECT[role] in body, (role, body[:300])
        nav = page.inner_text("nav.mainnav")
        if role in NAV:
            assert NAV[role] in nav
        if role != "admin":
            assert "用户管理" not in nav
        shots = os.environ.get("SCREENSHOT_DIR") or str(tmp_path)
        page.screenshot(path=os.path.join(shots, f"home-{role}.png"), full_page=True)
        page.click("text=退出")
        page.wait_for_load_state()
        assert page.url.startswith(base + "/login")
        assert not problems, (role, problems)  # no CSP violations, no missing assets
        context.close()


def test_login_page_fits_a_phone(demo_app, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(demo_app.config["LIVE_URL"] + "/login")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.fill("input[name=username]", "inspector")
    page.fill("input[name=password]", "wrong-password-1")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("main")
    context.close()
