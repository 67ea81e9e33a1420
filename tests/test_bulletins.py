"""Bulletins (通报): figures from the scorecard queries, typical cases free of personal data,
two-person approval, stored documents that never change, the public pages and feed, corrections,
the monthly job and the audit trail."""
from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from supervision import db as dbmod
from supervision.models import AuditEvent, Bulletin, BulletinCase, Notification
from supervision.services import bulletins as svc
from supervision.standard import bulletins as std
from tests.conftest import login

OFFICE = "省互联网信息办公室"
ATOM = "{http://www.w3.org/2005/Atom}"


def _user(s, username):
    from supervision.models import User

    return s.scalar(select(User).where(User.username == username))


# The demo: the draft's figures are the scorecard's -------------------------------------------------------

def test_draft_figures_equal_the_scorecard_queries_on_the_demo(app, runner, session, client):
    from scoring import parse_period
    from supervision.services.scores import league_view, month_inputs, scored_platforms

    r = runner.invoke(args=["demo"])
    assert r.exit_code == 0, r.output
    published = session.scalars(select(Bulletin).where(Bulletin.status == std.PUBLISHED)).all()
    assert [b.period for b in published] == ["2026-10"]  # the demo's last month, published
    with app.app_context():
        s = dbmod.session()
        for period in ("2026-10", "2026-08"):
            figures = svc.monthly_figures(s, period, datetime(2026, 11, 20, 9, 30))
            cur = figures["months"]["current"]
            inputs = month_inputs(s, scored_platforms(s, period), period)
            items = [i for i, _ in inputs.values()]
            for name in ("received_total", "concluded_total", "timeliness_total", "timeliness_ok", "feedback_ok",
                         "complaints_substantiated"):
                assert cur[name] == sum(getattr(i, name) for i in items), (period, name)
            assert cur["ratings"] == [sum(i.ratings[k] for i in items) for k in range(5)]
            categories: dict[str, int] = {}
            for _i, facts in inputs.values():
                for k, v in facts["categories"].items():
                    categories[k] = categories.get(k, 0) + v
            assert cur["categories"] == categories and sum(categories.values()) == cur["received_total"] > 0
            assert cur["complaints_received"] == sum(f["complaints_received"] for _i, f in inputs.values())
            # Bands and measures are read over the scorecard's own base (reports concluded in the month).
            assert sum(figures["bands"].values()) + figures["bands_unknown"] == cur["concluded_total"]
            assert figures["bands_unknown"] == 0
            assert sum(cur["measures"].values()) >= cur["concluded_total"] * 0.5
            # Grades and ranks: the dashboard's league, platform by platform.
            view = league_view(s, parse_period(period))
            assert view.run is not None and figures["source"]["score_run"] == view.run.id  # the dashboard's run
            assert [(g["code"], g["grade"], g["rank"]) for g in figures["grades"]] == [
                (c.platform_code, c.grade, c.rank if c.reported else None) for c in view.cards]
            assert {g["code"] for g in figures["grades"]} == {"yunfan", "xinghe", "chenfeng"}
    # The CLI's scorecards (the dashboard's export) agree with the published bulletin's grades.
    out = runner.invoke(args=["scores", "compute", "--period", "2026-10"]).output.splitlines()[1:]
    grades = {line.split(",")[0]: line.split(",")[2] for line in out}
    stored = json.loads(published[0].figures)["grades"]
    assert {g["code"]: g["grade"] for g in stored} == grades
    # The demo stays idempotent and its bulletin is public.
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert session.scalar(select(func.count()).select_from(Bulletin)) == 1
    page = client.get("/public/bulletins/").get_data(as_text=True)
    assert "2026年10月网络侵权信息举报受理处置情况通报" in page
    view_page = client.get(f"/public/bulletins/{published[0].id}").get_data(as_text=True)
    assert "典型案例" in view_page and "网站平台评价等级" in view_page


# A small province --------------------------------------------------------------------------------------

@pytest.fixture
def province(app, runner, make_platform, make_user, tmp_path):
    """Platforms pa and pb with checked October ledgers, staff, and a substantiated complaint by
    张三丰 (13912345678) about pa, closed on 20 November."""
    from tests.complaint_helpers import file_one, to_answered
    from tests.ledger_samples import ledger_frame
    from tests.test_checks import _check, _import

    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    for code, seed in (("pa", 3), ("pb", 4)):
        _import(runner, tmp_path, ledger_frame(40, "2026-10", seed=seed), "2026-10", platform=code,
                name=f"{code}.csv")
        _check(runner, "2026-10", platform=code)
    ids = {name: make_user(name, role, platform) for name, role, platform in (
        ("editor", "inspector", None), ("boss", "supervisor", None), ("boss2", "supervisor", None),
        ("insp2", "inspector", None), ("handler", "complaint_handler", None), ("user_a", "platform", "pa"),
        ("lead", "leader", None))}
    from supervision.services import complaints as csvc

    with app.app_context():
        s = dbmod.session()
        c = file_one(s, app).complaint
        to_answered(s, app, c)
        csvc.close(s, c, "投诉成立", "经核查，平台处置不及时，已督促整改。")
        s.commit()
        ids["complaint"] = c.id
    return ids


def _draft(app, username="editor", period="2026-10"):
    with app.app_context():
        s = dbmod.session()
        b = svc.create_monthly(s, _user(s, username), period)
        s.commit()
        return b.id


def _walk(app, bulletin_id, *steps):
    """Run service steps (callables of (session, bulletin)) in one committed transaction."""
    with app.app_context():
        s = dbmod.session()
        b = s.get(Bulletin, bulletin_id)
        for step in steps:
            step(s, b)
        s.commit()


def _published(app, period="2026-10", editor="editor", approver="boss"):
    bid = _draft(app, editor, period)
    _walk(app, bid, lambda s, b: svc.submit(s, b, _user(s, editor)),
          lambda s, b: svc.publish(s, b, _user(s, approver), OFFICE))
    return bid


@pytest.mark.parametrize("text,what", [
    ("投诉人张三丰反映平台处置不及时。", "投诉人姓名"),
    ("投诉人电话 139 1234 5678。", "手机号码"),
    ("投诉人身份证号码330102199001011234。", "身份证号码"),
    ("投诉人邮箱 zhangsan@example.com。", "电子邮件地址"),
])
def test_personal_data_in_a_typical_case_blocks_publication(app, province, session, text, what):
    from supervision.services import ValidationError

    bid = _draft(app)
    with app.app_context():
        s = dbmod.session()
        b, ed = s.get(Bulletin, bid), _user(s, "editor")
        case = svc.add_case(s, b, ed, "complaint", province["complaint"])
        # The proposed text names nobody: the complaint's identity stays with the handlers.
        assert svc.personal_data_problems(s, b) == {}
        assert "张三丰" not in case.text and "13912345678" not in case.text
        s.commit()
        svc.update_case(s, b, case, ed, "甲平台处置不及时被投诉", f"<p>{text}</p>")
        with pytest.raises(ValidationError) as e:
            svc.submit(s, b, ed)
        assert what in e.value.errors[f"case_{case.id}"]
        s.rollback()
    assert session.get(Bulletin, bid).status == std.DRAFT
    # Cleaned, it goes through; personal data slipped in while pending still blocks publication.
    with app.app_context():
        s = dbmod.session()
        b, ed = s.get(Bulletin, bid), _user(s, "editor")
        case = s.scalar(select(BulletinCase).where(BulletinCase.bulletin_id == bid))
        svc.update_case(s, b, case, ed, "甲平台处置不及时被投诉", "<p>网民投诉甲平台处置不及时，经核查投诉成立。</p>")
        svc.submit(s, b, ed)
        s.commit()
        case.text = f"<p>{text}</p>"
        with pytest.raises(ValidationError) as e:
            svc.publish(s, b, _user(s, "boss"), OFFICE)
        assert what in e.value.errors[f"case_{case.id}"]
        s.rollback()
    assert session.get(Bulletin, bid).status == std.PENDING and session.get(Bulletin, bid).pdf_sha256 is None


def test_personal_data_blocks_submission_on_the_web_page(app, province, client):
    bid = _draft(app)
    _walk(app, bid, lambda s, b: svc.add_case(s, b, _user(s, "editor"), "complaint", province["complaint"]))
    login(client, "editor")
    with app.app_context():
        case_id = dbmod.session().scalar(select(BulletinCase.id))
    r = client.post(f"/bulletins/{bid}/edit", data={
        "title": "2026年10月通报", "intro": "导语", "analysis": "", "closing": "",
        f"case_title_{case_id}": "案例", f"case_text_{case_id}": "联系人张三丰，电话13912345678", "then": "submit"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "含有个人信息" in body and "投诉人姓名" in body and "手机号码" in body
    assert "13912345678" not in body.split("含有个人信息")[1].split("</div>")[0]  # the message masks it


def test_self_approval_is_refused(app, province, client, session):
    # boss2 (a supervisor) edits and submits; boss2 cannot publish or return it, boss can.
    bid = _draft(app, "boss2")
    _walk(app, bid, lambda s, b: svc.submit(s, b, _user(s, "boss2")))
    login(client, "boss2")
    page = client.get(f"/bulletins/{bid}").get_data(as_text=True)
    assert "须由其他审核人发布或退回" in page
    r = client.post(f"/bulletins/{bid}/publish", follow_redirects=True)
    assert "编辑人不能发布自己编辑的通报" in r.get_data(as_text=True)
    r = client.post(f"/bulletins/{bid}/return", data={"reason": "自己退回"}, follow_redirects=True)
    assert "编辑人不能退回自己编辑的通报" in r.get_data(as_text=True)
    assert session.get(Bulletin, bid).status == std.PENDING
    # An inspector may not approve at all.
    other = app.test_client()
    login(other, "insp2")
    assert other.post(f"/bulletins/{bid}/publish").status_code == 403
    third = app.test_client()
    login(third, "boss")
    r = third.post(f"/bulletins/{bid}/publish", follow_redirects=True)
    assert "已发布" in r.get_data(as_text=True)
    b = session.get(Bulletin, bid)
    assert b.status == std.PUBLISHED and b.published_by_id == province["boss"] and b.editor_id == province["boss2"]


def test_the_first_editor_of_a_scheduled_draft_cannot_approve_it(app, province, session, clock):
    from supervision.services import ValidationError

    with app.app_context():
        s = dbmod.session()
        b = svc.draft_monthly(s, "2026-10", clock())
        assert b.editor_id is None and b.drafted_by == "scheduler"
        svc.update_text(s, b, _user(s, "boss"), b.title, b.intro + "补充。", "", "")
        assert b.editor_id == province["boss"]
        with pytest.raises(ValidationError, match="只有该通报的编辑人"):
            svc.update_text(s, b, _user(s, "editor"), "改标题", "", "", "")
        svc.submit(s, b, _user(s, "boss"))
        with pytest.raises(ValidationError, match="编辑人不能发布"):
            svc.publish(s, b, _user(s, "boss"), OFFICE)
        svc.publish(s, b, _user(s, "boss2"), OFFICE)
        s.commit()


def test_published_bytes_never_change_even_if_templates_change(app, province, client, session, monkeypatch):
    from reports import bulletin as documents
    from supervision.services import ValidationError

    bid = _published(app)
    b = session.get(Bulletin, bid)
    stored, sha, html = bytes(b.pdf), b.pdf_sha256, b.html
    assert hashlib.sha256(stored).hexdigest() == sha and stored.startswith(b"%PDF") and b.pdf_size == len(stored)
    assert "2026年11月20日" in html and "草稿" not in html

    # The templates and the style sheet change after publication: what was published does not.
    monkeypatch.setattr(documents, "render_fragment", lambda doc, **kw: "<article>新模板</article>")
    monkeypatch.setattr(documents, "CSS_FILE", documents.STATIC_DIR / "app.css")
    r = client.get(f"/public/bulletins/{bid}.pdf")
    assert r.status_code == 200 and r.data == stored and r.headers["X-Content-SHA256"] == sha
    assert r.mimetype == "application/pdf"
    page = client.get(f"/public/bulletins/{bid}").get_data(as_text=True)
    assert html in page and "新模板" not in page

    # Nothing can change it any more.
    with app.app_context():
        s = dbmod.session()
        b, ed = s.get(Bulletin, bid), _user(s, "editor")
        for step in (lambda: svc.update_text(s, b, ed, "新标题", "", "", ""), lambda: svc.refresh_figures(s, b, ed),
                     lambda: svc.submit(s, b, ed), lambda: svc.delete_draft(s, b, ed),
                     lambda: svc.return_to_draft(s, b, _user(s, "boss2"), "再改"),
                     lambda: svc.publish(s, b, _user(s, "boss2"), OFFICE)):
            with pytest.raises(ValidationError):
                step()
        s.rollback()
    b = session.get(Bulletin, bid)
    assert (bytes(b.pdf), b.pdf_sha256, b.html, b.status) == (stored, sha, html, std.PUBLISHED)


def test_public_page_and_feed_show_only_published_bulletins(app, province, client, clock):
    published = _published(app, "2026-10")
    pending = _draft(app, "editor", "2026-09")
    _walk(app, pending, lambda s, b: svc.submit(s, b, _user(s, "editor")))
    draft = _draft(app, "editor", "2026-08")
    _walk(app, draft, lambda s, b: svc.update_text(s, b, _user(s, "editor"), "八月草稿标题", b.intro, "", ""))

    page = client.get("/public/bulletins/").get_data(as_text=True)  # anonymous: no login needed
    assert "2026年10月网络侵权信息举报受理处置情况通报" in page
    assert "2026年9月" not in page and "八月草稿标题" not in page
    for bid in (pending, draft):
        assert client.get(f"/public/bulletins/{bid}").status_code == 404
        assert client.get(f"/public/bulletins/{bid}.pdf").status_code == 404
    assert client.get(f"/public/bulletins/{published}").status_code == 200

    r = client.get("/public/bulletins/feed.atom")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    feed = ET.fromstring(r.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["2026年10月网络侵权信息举报受理处置情况通报"]
    links = {link.get("rel"): link.get("href") for link in entries[0].findall(f"{ATOM}link")}
    assert links["alternate"].endswith(f"/public/bulletins/{published}")
    assert links["enclosure"].endswith(f"/public/bulletins/{published}.pdf")
    assert entries[0].find(f"{ATOM}published").text.startswith("2026-11-20T09:30:00+08:00")
    # A platform user or anyone else sees the same; the office's register needs a staff log-in.
    assert client.get("/bulletins/").status_code == 302


def test_public_pages_carry_no_personal_data(app, province, client):
    bid = _draft(app)
    _walk(app, bid, lambda s, b: svc.add_case(s, b, _user(s, "editor"), "complaint", province["complaint"]),
          lambda s, b: svc.submit(s, b, _user(s, "editor")), lambda s, b: svc.publish(s, b, _user(s, "boss"), OFFICE))
    for path in ("/public/bulletins/", f"/public/bulletins/{bid}", "/public/bulletins/feed.atom"):
        body = client.get(path).get_data(as_text=True)
        assert "张三丰" not in body and "13912345678" not in body and "张**" not in body


def test_a_correction_is_a_new_bulletin_linked_to_the_one_it_corrects(app, province, client, session):
    from supervision.services import ValidationError

    original = _published(app)
    before = session.get(Bulletin, original)
    sha, html = before.pdf_sha256, before.html
    with app.app_context():
        s = dbmod.session()
        with pytest.raises(ValidationError, match="更正的原因"):
            svc.correct(s, s.get(Bulletin, original), _user(s, "editor"), "")
        fix = svc.correct(s, s.get(Bulletin, original), _user(s, "editor"), "原通报满意度数据有误，予以更正。")
        with pytest.raises(ValidationError, match="尚未发布的更正"):
            svc.correct(s, s.get(Bulletin, original), _user(s, "insp2"), "再次更正")
        svc.submit(s, fix, _user(s, "editor"))
        svc.publish(s, fix, _user(s, "boss2"), OFFICE)
        s.commit()
        fix_id = fix.id
    fix = session.get(Bulletin, fix_id)
    assert fix.corrects_id == original and fix.draft_key is None and fix.title.endswith("（更正）")
    assert "更正" in fix.html and "原通报满意度数据有误" in fix.html
    old = session.get(Bulletin, original)
    assert (old.pdf_sha256, old.html, old.status) == (sha, html, std.PUBLISHED)  # the original as published
    index = client.get("/public/bulletins/").get_data(as_text=True)
    assert "已更正" in index and f"/public/bulletins/{fix_id}" in index
    assert "本通报已更正" in client.get(f"/public/bulletins/{original}").get_data(as_text=True)
    assert "本通报更正了" in client.get(f"/public/bulletins/{fix_id}").get_data(as_text=True)


def test_the_monthly_job_drafts_each_period_once(app, province, session, clock):
    from supervision.jobs.registry import JOBS
    from supervision.services import ValidationError

    job = JOBS["monthly_bulletin_draft"]
    clock.current = datetime(2026, 11, 9, 7, 0)
    with app.app_context():
        s = dbmod.session()
        assert job.func(s, clock(), "2026-10").counts == {"drafted": 1}
        s.commit()
        assert job.func(s, clock(), "2026-10").counts == {"drafted": 0}
        s.commit()
        with pytest.raises(ValidationError, match="月度通报已经存在"):
            svc.create_monthly(s, _user(s, "editor"), "2026-10")
        s.rollback()
    rows = session.scalars(select(Bulletin)).all()
    assert [(b.period, b.status, b.drafted_by, b.editor_id) for b in rows] == [("2026-10", std.DRAFT, "scheduler", None)]
    notes = session.scalars(select(Notification).where(Notification.kind == "bulletin_draft")).all()
    assert sorted(n.user_id for n in notes) == sorted([province["editor"], province["insp2"]])
    # Deleting the draft frees the month: the next run drafts it again.
    _walk(app, rows[0].id, lambda s, b: svc.delete_draft(s, b, _user(s, "editor")))
    with app.app_context():
        s = dbmod.session()
        assert job.func(s, clock(), "2026-10").counts == {"drafted": 1}
        s.commit()


def test_every_change_of_state_is_audit_logged(app, province, session):
    bid = _draft(app)
    _walk(app, bid, lambda s, b: svc.add_case(s, b, _user(s, "editor"), "complaint", province["complaint"]),
          lambda s, b: svc.update_text(s, b, _user(s, "editor"), "新标题", "导语", "分析", "下一步"),
          lambda s, b: svc.submit(s, b, _user(s, "editor")),
          lambda s, b: svc.return_to_draft(s, b, _user(s, "boss"), "请补充分析。"),
          lambda s, b: svc.refresh_figures(s, b, _user(s, "editor")),
          lambda s, b: svc.submit(s, b, _user(s, "editor")),
          lambda s, b: svc.publish(s, b, _user(s, "boss"), OFFICE))
    events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "bulletin",
                                                      AuditEvent.object_id == str(bid)).order_by(AuditEvent.seq)).all()
    assert [e.action for e in events] == ["bulletin.draft", "bulletin.case_add", "bulletin.update", "bulletin.submit",
                                          "bulletin.return", "bulletin.refresh", "bulletin.submit", "bulletin.publish"]
    publish = json.loads(events[-1].after)
    assert publish["sha256"] == session.get(Bulletin, bid).pdf_sha256 and publish["status"] == std.PUBLISHED


def test_the_staff_pages_draft_edit_and_show_the_figures(app, province, client, session):
    login(client, "editor")
    r = client.post("/bulletins/new", data={"kind": "monthly", "period": "2026-10"})
    assert r.status_code == 302
    bid = session.scalar(select(Bulletin.id))
    page = client.get(f"/bulletins/{bid}/edit").get_data(as_text=True)
    assert "选入典型案例" in page and "问题清单" in page
    r = client.post(f"/bulletins/{bid}/cases", data={"case": f"complaint:{province['complaint']}"})
    assert r.status_code == 302
    detail = client.get(f"/bulletins/{bid}").get_data(as_text=True)
    for text in ("举报受理处置总体情况", "按侵权类别", "按处置措施", "办理时效与反馈", "≤3个工作日", "网民投诉办理情况",
                 "网站平台评价等级", "甲平台", "乙平台", "典型案例", "<svg"):
        assert text in detail, text
    preview = client.get(f"/bulletins/{bid}/preview").get_data(as_text=True)
    assert preview.startswith("<!doctype html>") and "草稿" in preview
    r = client.post("/bulletins/new", data={"kind": "monthly", "period": "2026-13"}, follow_redirects=True)
    assert "月份格式应为 YYYY-MM" in r.get_data(as_text=True)
    r = client.post("/bulletins/new", data={"kind": "monthly", "period": "2026-11"}, follow_redirects=True)
    assert "只能起草已经结束的月份" in r.get_data(as_text=True)
    # A leader reads bulletins but cannot edit them; a platform user has no office register.
    leader = app.test_client()
    login(leader, "lead")
    assert leader.get(f"/bulletins/{bid}").status_code == 200
    assert leader.post(f"/bulletins/{bid}/submit").status_code == 403
    platform = app.test_client()
    login(platform, "user_a")
    assert platform.get("/bulletins/").status_code == 403


def test_inspection_bulletin_after_an_audit(app, province, session):
    from supervision.models import Audit
    from tests.notices.helpers import issued, seed_audit

    with app.app_context():
        s = dbmod.session()
        pa = s.scalar(select(Bulletin.id))  # noqa: F841  (no bulletin yet)
        from supervision.services.platforms import by_code

        pid = by_code(s, "pa").id
        audit = seed_audit(s, pid, province["editor"])
        issued(s, "editor", "boss", audit, pid)
        s.commit()
        audit_id = audit.id
    with app.app_context():
        s = dbmod.session()
        assert [a.id for a in svc.draftable_audits(s)] == [audit_id]
        b = svc.create_inspection(s, _user(s, "editor"), audit_id)
        figures = svc.figures_of(b)
        rules = {r["code"]: r["count"] for r in figures["rules"]}
        assert rules["TIM-01"] == 4 and figures["rules"][0]["code"] == "TIM-01"
        [row] = figures["platforms"]
        assert row["name"] == "甲平台" and row["problems"] == 7 and row["by_status"] == {"整改中": 7}
        assert row["notices"][0]["number"].endswith("〔2026〕1号") and row["notices"][0]["status"] == "已签发"
        candidates = svc.case_candidates(s, b)
        svc.add_case(s, b, _user(s, "editor"), "problem", candidates["problem"][0][0])
        svc.submit(s, b, _user(s, "editor"))
        svc.publish(s, b, _user(s, "boss2"), OFFICE)
        s.commit()
        assert "检查结论与评价等级" in b.html and "整改情况" in b.html and "TIM-01" in b.html
        assert svc.draftable_audits(s) == [] and s.get(Audit, audit_id) is not None


def test_hostile_text_in_a_bulletin_is_inert_on_every_page_that_shows_it(app, province, client, session):
    """The editor's text is sanitised rich text: script, event handlers and javascript: links
    never reach the staff preview, the public page, the feed or the PDF's source."""
    hostile = ('<p>正文<script>alert(1)</script><img src=x onerror="alert(2)">'
               '<a href="javascript:alert(3)">链接</a><b>加粗</b></p>')
    bid = _draft(app)
    _walk(app, bid, lambda s, b: svc.update_text(s, b, _user(s, "editor"), "标题<script>alert(4)</script>",
                                                   hostile, hostile, hostile),
          lambda s, b: svc.submit(s, b, _user(s, "editor")), lambda s, b: svc.publish(s, b, _user(s, "boss"), OFFICE))
    login(client, "editor")
    pages = [client.get(f"/bulletins/{bid}").get_data(as_text=True),
             client.get(f"/bulletins/{bid}/preview").get_data(as_text=True)]
    anonymous = app.test_client()
    pages += [anonymous.get(f"/public/bulletins/{bid}").get_data(as_text=True),
              anonymous.get("/public/bulletins/feed.atom").get_data(as_text=True),
              session.get(Bulletin, bid).html]
    for page in pages:
        assert "<script>alert" not in page and "onerror=" not in page and 'href="javascript:' not in page
    assert "<b>加粗</b>" in pages[2] and "正文" in pages[2]  # harmless formatting survives
