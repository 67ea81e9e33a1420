"""In headless Chromium: an inspector starts an audit, reviews a sampled report (overturns a
finding with a reason, marks the report) and moves on to the next one."""
import os
from datetime import date, datetime

from supervision.services.demo import DEMO_PASSWORD
from tests.ledger_samples import ledger_frame, to_csv_bytes


def test_inspector_reviews_a_sampled_report(live_app, browser, tmp_path):
    from sqlalchemy import select

    from supervision import db
    from supervision.models import Finding, SampleItem
    from supervision.services import audits
    from supervision.services.accounts import create_user
    from supervision.services.checks import check_after_submission
    from supervision.services.ledger_import import import_ledger
    from supervision.services.platforms import PlatformInput, register_platform

    with live_app.app_context():
        s = db.session()
        platform = register_platform(s, PlatformInput("pa", "甲平台", "91440300708461136T", True, "2025-01"))
        insp = create_user(s, "insp", "inspector", DEMO_PASSWORD, must_change_password=False)
        outcome = import_ledger(s, platform=platform, period="2026-10", filename="l.csv",
                                data=to_csv_bytes(ledger_frame(80, "2026-10", seed=5)), channel="cli",
                                upload_dir=live_app.config["UPLOAD_DIR"], submitted_at=datetime(2026, 11, 2, 10))
        check_after_submission(s, outcome.submission, "test")
        audit = audits.create_audit(s, insp, audits.AuditInput(
            kind="full", title="十月检查", period_from="2026-10", period_to="2026-10", due_date=date(2099, 1, 1),
            platform_codes=[], inspector_ids=[insp.id]))
        audits.start_audit(s, audit, "insp")
        s.commit()
        items = s.scalars(select(SampleItem).where(SampleItem.audit_id == audit.id)
                          .order_by(SampleItem.position)).all()
        target = next(i for i in items if s.scalar(select(Finding).where(
            Finding.report_id == i.report_id, Finding.status == "open")))
        audit_id, item_id, next_id = audit.id, target.id, items[items.index(target) + 1].id
    base = live_app.config["LIVE_URL"]
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(base + "/login")
    page.fill("input[name=username]", "insp")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{base}/audits/{audit_id}/items/{item_id}")
    assert "自动检查问题" in page.inner_text("main")
    box = page.locator(".finding-box").first
    box.locator("input[name=reason]").fill("原始材料显示已按时处置")
    box.locator("button[value=overturned]").click()
    page.wait_for_load_state()
    assert "推翻" in page.locator(".finding-box").first.inner_text()
    page.fill("textarea[name=note]", "台账与原始材料一致")
    page.click("button[value=合规]")
    page.wait_for_url(f"**/audits/{audit_id}/items/{next_id}")  # saved, on to the next report
    page.goto(f"{base}/audits/{audit_id}/items/{item_id}")
    assert page.inner_text("[data-testid=verdict]") == "合规"
    shots = os.environ.get("SCREENSHOT_DIR") or str(tmp_path)
    page.screenshot(path=os.path.join(shots, "audit-review.png"), full_page=False)
    assert not problems, problems
    context.close()
