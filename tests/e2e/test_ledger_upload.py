"""In headless Chromium: a platform uploads its ledger through the portal (progress bar script
under the strict CSP), sees it accepted, then sees a rejected file's errors."""
import os

from supervision.services.demo import DEMO_PASSWORD
from tests.ledger_samples import ledger_frame, to_csv_bytes, to_xlsx_bytes


def _login(page, base, username):
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def test_platform_uploads_a_ledger_in_the_browser(live_app, browser, tmp_path):
    from supervision import db
    from supervision.services.accounts import create_user
    from supervision.services.platforms import PlatformInput, register_platform

    with live_app.app_context():
        s = db.session()
        register_platform(s, PlatformInput("pa", "甲平台", "91440300708461136T", True, "2025-01"))
        create_user(s, "user_a", "platform", DEMO_PASSWORD, platform_code="pa", must_change_password=False)
        s.commit()
    base = live_app.config["LIVE_URL"]
    good = tmp_path / "十月台账.xlsx"
    good.write_bytes(to_xlsx_bytes(ledger_frame(25, "2026-10")))
    bad_frame = ledger_frame(5, "2026-10")
    bad_frame.loc[1, "受理时间"] = "昨天下午"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv_bytes(bad_frame))

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    _login(page, base, "user_a")
    page.click("nav >> text=台账")
    page.click("text=报送台账")
    page.select_option("select[name=period]", "2026-10")
    page.set_input_files("input[name=file]", str(good))
    page.click("#upload-button")
    page.wait_for_url("**/ledgers/*")
    verdict = page.inner_text("[data-testid=verdict]")
    assert "已接收：读取 25 行，新增 25 条" in verdict
    shots = os.environ.get("SCREENSHOT_DIR") or str(tmp_path)
    page.screenshot(path=os.path.join(shots, "ledger-accepted.png"), full_page=True)

    page.goto(base + "/ledgers/upload")
    page.select_option("select[name=period]", "2026-10")
    page.set_input_files("input[name=file]", str(bad))
    page.click("#upload-button")
    page.wait_for_url("**/ledgers/*")
    assert "已退回" in page.inner_text("[data-testid=verdict]")
    table = page.inner_text("main table")
    assert "受理时间" in table and "昨天下午" in table
    page.screenshot(path=os.path.join(shots, "ledger-rejected.png"), full_page=True)
    assert not problems, problems
    context.close()
