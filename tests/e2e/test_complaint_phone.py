"""In headless Chromium on a phone-sized screen: a citizen files a complaint (a wrong answer
first: nothing typed is lost), notes the tracking number and code, and follows it."""
import re

from supervision import db
from supervision.services.complaints import challenge_answer
from supervision.services.platforms import ContactInput, PlatformInput, register_platform
from supervision.standard.uscc import check_character


def _platform(app):
    first17 = "91330101MA2CD0011"
    with app.app_context():
        s = db.session()
        register_platform(s, PlatformInput(code="pa", name="云帆平台", uscc=first17 + check_character(first17),
                                           is_local=True, onboarded="2025-01",
                                           contacts=[ContactInput("联系人", "合规", "13800000000", "a@example.cn")]))
        s.commit()


def test_filing_and_querying_on_a_phone(live_app, browser):
    _platform(live_app)
    base = live_app.config["LIVE_URL"]
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(base + "/complaint/new")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    box = page.locator("#website").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0  # the honeypot is out of sight
    page.fill("#name", "王小明")
    page.fill("#contact", "13900001111")
    page.select_option("#platform", "pa")
    page.fill("#report_number", "YF-2026-0001")
    page.fill("#report_date", "2026-01-05")
    page.select_option("#complaint_type", "举报未反馈")
    page.fill("#description", "一月初举报的侵权视频，平台一直没有反馈。")
    page.check("#consent")
    page.fill("#answer", "999")
    page.wait_for_timeout(3200)
    page.click("button[type=submit]")
    page.wait_for_selector("text=验证题答案不正确")  # the page comes back with the message
    assert page.input_value("#description") == "一月初举报的侵权视频，平台一直没有反馈。"  # nothing lost
    assert page.input_value("#name") == "王小明"
    token = page.get_attribute("#challenge", "value")
    page.fill("#answer", str(challenge_answer(live_app.config["SECRET_KEY"], token)))
    page.wait_for_timeout(3200)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/complaint/filed$"))
    number = page.inner_text("[data-testid=tracking-no]").strip()
    code = page.inner_text("[data-testid=query-code]").strip()
    assert re.fullmatch(r"TS\d{8}-\d{5}", number) and len(code) == 10
    page.goto(base + "/complaint/query")
    page.fill("#tracking_no", number)
    page.fill("#code", code)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/complaint/track$"))
    assert page.inner_text("[data-testid=status]") == "待受理"
    page.wait_for_selector("text=收到投诉")
    problems = [p for p in problems if "422" not in p]  # the refused form answers 422 on purpose
    assert not problems, problems  # no CSP violations or script errors
    context.close()
