"""In headless Chromium: an inspector drafts a rectification notice from an audit's problem
ledger and submits it, a supervisor issues it, the platform reads and answers it with a file,
and the inspector accepts every item: the notice is complete."""
import os

from supervision.services.demo import DEMO_PASSWORD
from tests.notices.helpers import PDF


def _login(browser, base, username):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    return context, page


def test_notice_from_draft_to_completion(live_app, browser, tmp_path):
    from sqlalchemy import select

    from supervision import db
    from supervision.models import Notice
    from supervision.services.accounts import create_user
    from supervision.services.platforms import PlatformInput, register_platform
    from tests.notices.helpers import seed_audit

    with live_app.app_context():
        s = db.session()
        platform = register_platform(s, PlatformInput("pa", "甲平台", "91440300708461136T", True, "2025-01"))
        insp = create_user(s, "insp", "inspector", DEMO_PASSWORD, must_change_password=False)
        create_user(s, "sup", "supervisor", DEMO_PASSWORD, must_change_password=False)
        create_user(s, "user_a", "platform", DEMO_PASSWORD, platform_code="pa", must_change_password=False)
        seed_audit(s, platform.id, insp.id, problems=(("TIM-01", "R-1"), ("TIM-01", "R-2"), ("PRO-02", "R-3")))
        s.commit()
    base = live_app.config["LIVE_URL"]
    shots = os.environ.get("SCREENSHOT_DIR") or str(tmp_path)
    errors = []

    # The inspector drafts and submits.
    ctx, page = _login(browser, base, "insp")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/notices/new")
    page.click("main button:has-text('起草')")
    page.fill("input[name=contact_phone]", "0571-87000000")
    page.click("button[value=submit]")
    assert "已提交审核" in page.inner_text("main") and "待审核" in page.inner_text("h1")
    notice_url = page.url
    ctx.close()

    # A supervisor (not the drafter) issues it.
    ctx, page = _login(browser, base, "sup")
    page.goto(notice_url)
    page.click("button:has-text('签发')")
    assert "已签发" in page.inner_text("main")
    assert "省网信办整改〔" in page.inner_text("h1")
    page.screenshot(path=os.path.join(shots, "notice-issued.png"), full_page=True)
    ctx.close()

    # The platform receives it and answers every item with a file.
    ctx, page = _login(browser, base, "user_a")
    page.goto(base + "/portal/notices/")
    page.click("main table a")
    for area in page.locator("textarea").all():
        area.fill("已全面排查并完成整改，附整改报告。")
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click("button:has-text('提交本轮整改情况')")
    assert "第 1 轮整改情况已报送" in page.inner_text("main")
    assert "整改报告.pdf" in page.inner_text("main")
    ctx.close()

    # The inspector checks each item.
    ctx, page = _login(browser, base, "insp")
    page.goto(notice_url)
    while page.locator("button[value=accept]").count():
        page.locator("button[value=accept]").first.click()
        page.wait_for_load_state()
    page.screenshot(path=os.path.join(shots, "notice-complete.png"), full_page=True)
    assert "已完成" in page.inner_text("h1")
    ctx.close()
    with live_app.app_context():
        notice = db.session().scalar(select(Notice))
        assert notice.status == "已完成" and notice.delivered_at is not None
    assert not errors, errors
