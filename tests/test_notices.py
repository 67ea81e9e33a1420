"""Rectification notices: drafting from the problem ledger, approval by another supervisor, the
number and the stored PDF, the platform's portal (delivery, answers per round), the inspector's
check, overdue scans, escalation, the register and the scorecard's figures."""
from __future__ import annotations

import hashlib
import io
import subprocess
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from supervision import db
from supervision.models import (AuditEvent, Notice, NoticeAnswer, NoticeCounter, NoticeEscalation, NoticeFile,
                                NoticeItem, Problem)
from supervision.services import ValidationError
from supervision.services import notices as svc
from supervision.standard import notices as std
from tests.conftest import login
from tests.notices.helpers import OFFICE, PDF, PNG, PROBLEMS, add_problems, issued, pending, seed_audit, user


@pytest.fixture
def world(app, make_platform, make_user):
    """Platforms pa and pb, each with an audit's problem ledger; staff and one user per platform."""
    ids = {"pa": make_platform("pa", "甲平台"), "pb": make_platform("pb", "乙平台")}
    for name, role in (("insp", "inspector"), ("insp2", "inspector"), ("sup", "supervisor"), ("sup2", "supervisor"),
                       ("boss", "leader"), ("admin1", "admin")):
        ids[name] = make_user(name, role)
    ids["user_a"] = make_user("user_a", "platform", "pa")
    ids["user_b"] = make_user("user_b", "platform", "pb")
    with app.app_context():
        s = db.session()
        ids["audit_a"] = seed_audit(s, ids["pa"], ids["insp"]).id
        ids["audit_b"] = seed_audit(s, ids["pb"], ids["insp"], problems=(("TIM-07", "B-1"),)).id
        s.commit()
    return ids


def _in_app(app, fn):
    with app.app_context():
        s = db.session()
        result = fn(s)
        s.commit()
        return result


def _draft(client, world, audit="audit_a", platform="pa") -> int:
    r = client.post("/notices/new", data={"audit": world[audit], "platform": world[platform]})
    assert r.status_code == 302 and "/edit" in r.headers["Location"], r.get_data(as_text=True)[-1500:]
    return int(r.headers["Location"].split("/")[-2])


def _pdftext(data: bytes, tmp_path, *args) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _flat(text: str) -> str:
    return "".join(text.split())


# Drafting -------------------------------------------------------------------------------------------

def test_draft_groups_the_confirmed_problems_by_rule(app, client, world, session):
    def overturn(s):  # an overturned finding stays in the ledger, excluded
        p = s.scalar(select(Problem).where(Problem.rule_code == "PRO-02"))
        p.excluded, p.excluded_reason = True, "原始材料显示已隐去"

    _in_app(app, overturn)
    login(client, "insp")
    page = client.get("/notices/new").get_data(as_text=True)
    assert "甲平台" in page and "乙平台" in page
    nid = _draft(client, world)
    notice = session.get(Notice, nid)
    assert notice.status == "草稿" and notice.addressee == "甲平台" and notice.working_days == 15
    items = session.scalars(select(NoticeItem).where(NoticeItem.notice_id == nid).order_by(NoticeItem.position)).all()
    # most serious first (TIM-01 and REC-03 are 较重), then the catalogue's order; PRO-02 was overturned
    assert [(i.rule_code, i.problem_count) for i in items] == [("TIM-01", 4), ("REC-03", 1), ("LED-03", 1)]
    assert items[0].examples == '["R-0001", "R-0002", "R-0003"]'
    assert items[0].requirement == std.DEFAULT_REQUIREMENTS["TIM-01"]
    claimed = session.scalars(select(Problem.rule_code).where(Problem.notice_id == nid)).all()
    assert sorted(claimed) == sorted(c for c, _ in PROBLEMS if c != "PRO-02")
    # the entries are taken: no second notice from the same problems
    assert "甲平台" not in client.get("/notices/new").get_data(as_text=True)
    r = client.post("/notices/new", data={"audit": world["audit_a"], "platform": world["pa"]}, follow_redirects=True)
    assert "没有尚未纳入整改通知书的问题" in r.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Notice)) == 1
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "notice")) == "notice.draft"


def test_draft_edit_preview_and_draft_pdf(app, client, world, session, tmp_path):
    login(client, "insp")
    nid = _draft(client, world)
    items = session.scalars(select(NoticeItem).where(NoticeItem.notice_id == nid).order_by(NoticeItem.position)).all()
    form = {"title": "关于甲平台限期整改的通知", "preamble": "第一段。\n\n第二段。", "contact_name": "张检查",
            "contact_phone": "", **{f"requirement_{i.id}": i.requirement for i in items}}
    form[f"requirement_{items[0].id}"] = ""
    r = client.post(f"/notices/{nid}/edit", data={**form, "then": "save"})
    assert r.status_code == 422 and "第（一）项 举报人信息未隐去：请填写整改要求。" in r.get_data(as_text=True)
    assert session.get(Notice, nid).title != form["title"]  # nothing half-stored
    form[f"requirement_{items[0].id}"] = "立即补齐原始材料并说明原因。"
    assert client.post(f"/notices/{nid}/edit", data={**form, "then": "save"}).status_code == 302
    r = client.post(f"/notices/{nid}/edit", data={**form, "then": "submit"})
    assert r.status_code == 422 and "提交审核前请填写联系电话" in r.get_data(as_text=True)
    assert session.get(Notice, nid).status == "草稿"
    html = client.get(f"/notices/{nid}/preview").get_data(as_text=True)
    assert "立即补齐原始材料并说明原因。" in html and "签发后15个工作日内" in html and "关于甲平台限期整改的通知" in html
    assert "<p>第一段。</p>" in html and "<p>第二段。</p>" in html and "草稿" in html
    r = client.get(f"/notices/{nid}/draft.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    text = _flat(_pdftext(r.data, tmp_path))
    assert "签发后15个工作日内完成整改" in text and "R-0001" in text and "省网信办整改〔" in text and "（签发时编号）" in text
    pages = _pdftext(r.data, tmp_path).split("\f")[:-1]
    assert pages and all("草" in p and "稿" in p for p in pages)  # the (rotated) watermark on every page
    assert session.get(Notice, nid).pdf_sha256 is None  # drafts are never stored
    form["contact_phone"] = "0571-87000000"
    assert client.post(f"/notices/{nid}/edit", data={**form, "then": "submit"}).status_code == 302
    assert session.get(Notice, nid).status == "待审核"
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "notice")
                              .order_by(AuditEvent.seq)).all()
    assert actions == ["notice.draft", "notice.update", "notice.update", "notice.submit"]


def test_only_the_drafter_edits_and_drafts_can_be_discarded(app, client, world, session):
    login(client, "insp")
    nid = _draft(client, world)
    other = app.test_client()
    login(other, "insp2")
    r = other.get(f"/notices/{nid}/edit", follow_redirects=True)
    assert "只有起草人可以修改" in r.get_data(as_text=True)
    other.post(f"/notices/{nid}/delete")
    assert session.get(Notice, nid) is not None
    client.post(f"/notices/{nid}/delete")
    assert session.get(Notice, nid) is None
    assert session.scalar(select(func.count()).select_from(Problem).where(Problem.notice_id.is_not(None))) == 0


# Approval -------------------------------------------------------------------------------------------

def test_self_approval_is_refused_on_the_server(app, client, world, session):
    nid = _in_app(app, lambda s: pending(s, "sup", _audit(s, world), world["pa"]).id)
    login(client, "sup")
    assert "须由其他审核人签发" in client.get(f"/notices/{nid}").get_data(as_text=True)
    r = client.post(f"/notices/{nid}/issue", follow_redirects=True)
    assert "起草人不能签发自己起草的整改通知书" in r.get_data(as_text=True)
    r = client.post(f"/notices/{nid}/return", data={"reason": "自己退回"}, follow_redirects=True)
    assert "起草人不能退回自己起草的整改通知书" in r.get_data(as_text=True)
    n = session.get(Notice, nid)
    assert n.status == "待审核" and n.number is None and n.pdf_sha256 is None
    assert session.scalar(select(func.count()).select_from(NoticeCounter)) == 0
    # the service refuses too, whatever the page shows; and an inspector may not approve at all
    with app.app_context():
        s = db.session()
        with pytest.raises(ValidationError, match="起草人不能签发"):
            svc.issue(s, s.get(Notice, nid), user(s, "sup"), OFFICE)
        s.rollback()
        with pytest.raises(ValidationError, match="只有审核人可以签发"):
            svc.issue(s, s.get(Notice, nid), user(s, "insp2"), OFFICE)
        s.rollback()
    inspector = app.test_client()
    login(inspector, "insp2")
    assert inspector.post(f"/notices/{nid}/issue").status_code == 403
    other = app.test_client()
    login(other, "sup2")
    assert other.post(f"/notices/{nid}/issue").status_code == 302
    n = session.get(Notice, nid)
    assert n.status == "已签发" and n.number == "省网信办整改〔2026〕1号"


def test_return_to_draft_needs_a_reason(app, client, world, session):
    nid = _in_app(app, lambda s: pending(s, "insp", _audit(s, world), world["pa"]).id)
    login(client, "sup")
    r = client.post(f"/notices/{nid}/return", data={"reason": "  "}, follow_redirects=True)
    assert "退回修改须写明理由" in r.get_data(as_text=True)
    assert session.get(Notice, nid).status == "待审核"
    client.post(f"/notices/{nid}/return", data={"reason": "第二项整改要求不够具体。"})
    n = session.get(Notice, nid)
    assert n.status == "草稿" and n.returned_reason == "第二项整改要求不够具体。" and n.returned_by == "sup"
    drafter = app.test_client()
    login(drafter, "insp")
    assert "第二项整改要求不够具体。" in drafter.get(f"/notices/{nid}/edit").get_data(as_text=True)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "notice.return"))
    assert "第二项整改要求不够具体" in event.after and event.actor_name == "sup"


def _audit(s, world, key="audit_a"):
    from supervision.models import Audit

    return s.get(Audit, world[key])


def test_issue_numbers_dates_stores_the_pdf_and_moves_the_ledger(app, client, world, session, clock, tmp_path):
    nid = _in_app(app, lambda s: pending(s, "insp", _audit(s, world), world["pa"]).id)
    login(client, "sup")
    client.post(f"/notices/{nid}/issue")
    n = session.get(Notice, nid)
    assert (n.status, n.number, n.year, n.seq) == ("已签发", "省网信办整改〔2026〕1号", 2026, 1)
    assert n.issue_date == clock().date() and n.issued_by_id == world["sup"]
    # 15 working days after Friday 2026-11-20: 2026-12-11 (no holidays in between)
    assert n.deadline == datetime(2026, 12, 11, 23, 59, 59)
    assert n.pdf_sha256 == hashlib.sha256(n.pdf).hexdigest() and n.pdf_size == len(n.pdf)
    statuses = session.scalars(select(Problem.status).where(Problem.notice_id == nid)).all()
    assert statuses and set(statuses) == {"整改中"}
    assert set(session.scalars(select(NoticeItem.status).where(NoticeItem.notice_id == nid))) == {"待报告"}
    r = client.get(f"/notices/{nid}/pdf")
    assert r.data == n.pdf and r.headers["X-Content-SHA256"] == n.pdf_sha256
    text = _pdftext(r.data, tmp_path)
    flat = _flat(text)
    for expected in ("省网信办整改〔2026〕1号", "关于甲平台网络侵权信息举报处置问题限期整改的通知", "甲平台：",
                     "省互联网信息办公室文件", "2026年11月20日", "2026年12月11日前完成整改", "附件：问题清单",
                     "R-0001", "R-0006", "原始材料未留存"):
        assert expected in flat, expected
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "notice.issue"))
    assert n.pdf_sha256 in event.after and event.actor_name == "sup"
    # an issued notice cannot be issued, returned or edited again
    client.post(f"/notices/{nid}/issue")
    client.post(f"/notices/{nid}/return", data={"reason": "x"})
    assert session.get(Notice, nid).status == "已签发"
    assert session.scalar(select(NoticeCounter.last)) == 1


def test_issued_pdf_is_served_from_storage_even_when_templates_change(app, client, world, session, monkeypatch):
    nid = _in_app(app, lambda s: issued(s, "insp", "sup", _audit(s, world), world["pa"]).id)
    stored = session.get(Notice, nid)
    original, digest = stored.pdf, stored.pdf_sha256
    import reports.notice as documents

    def changed_renderer(*_a, **_k):
        return b"%PDF-1.7 a different template\n"

    monkeypatch.setattr(documents, "render_document_pdf", changed_renderer)
    monkeypatch.setattr(documents, "NOTICE_TEMPLATE", "no/such/template.html")
    login(client, "boss")
    r = client.get(f"/notices/{nid}/pdf")
    assert r.data == original and hashlib.sha256(r.data).hexdigest() == digest
    portal = app.test_client()
    login(portal, "user_a")
    r = portal.get(f"/portal/notices/{nid}/pdf")
    assert r.data == original and hashlib.sha256(r.data).hexdigest() == digest
    assert session.get(Notice, nid).pdf_sha256 == digest
    # a document issued after the change uses the new renderer; the old one still does not change
    _in_app(app, lambda s: issued(s, "insp", "sup", _audit(s, world, "audit_b"), world["pb"]))
    assert session.scalar(select(Notice.pdf_size).where(Notice.seq == 2)) == len(changed_renderer())
    assert client.get(f"/notices/{nid}/pdf").data == original


def test_concurrent_issue_gives_consecutive_unique_numbers(app, world, session, tmp_path):
    """Several supervisors issue at the same moment (threads with their own sessions): the numbers
    are 1..N without gaps or duplicates, on SQLite and on PostgreSQL alike."""
    n = 6

    def prepare(s):
        out = []
        for k in range(n):
            audit = seed_audit(s, world["pa"], world["insp"], problems=(("TIM-01", f"C-{k}"),), title=f"检查{k}")
            out.append(pending(s, "insp", audit, world["pa"]).id)
        return out

    notice_ids = _in_app(app, prepare)
    barrier, numbers, errors = threading.Barrier(n), [], []

    def worker(i):
        try:
            with app.app_context():
                s = db.session()
                notice = s.get(Notice, notice_ids[i])
                approver = user(s, "sup" if i % 2 else "sup2")
                barrier.wait(timeout=30)
                svc.issue(s, notice, approver, OFFICE)
                s.commit()
                numbers.append(notice.number)
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(numbers, key=lambda x: std.parse_number(x)[2]) == [f"省网信办整改〔2026〕{k}号" for k in range(1, n + 1)]
    assert sorted(session.scalars(select(Notice.seq))) == list(range(1, n + 1))
    assert session.scalar(select(NoticeCounter.last).where(NoticeCounter.year == 2026)) == n
    # each stored document carries its own number (renders for a number another issue took are redone)
    for notice in session.scalars(select(Notice)):
        assert notice.number in _flat(_pdftext(notice.pdf, tmp_path)), notice.number
        assert hashlib.sha256(notice.pdf).hexdigest() == notice.pdf_sha256


def test_a_number_taken_while_rendering_is_rendered_again(app, world, session, monkeypatch, tmp_path):
    """The PDF is rendered before any lock with the predicted number; when another issue takes that
    number meanwhile, the document is rendered again with the number it really gets."""
    import reports.notice as documents

    nid = _in_app(app, lambda s: pending(s, "insp", _audit(s, world), world["pa"]).id)
    real, numbers = documents.render_document_pdf, []

    def render_while_another_issues(doc, **kw):
        numbers.append(doc.number)
        if len(numbers) == 1:  # another supervisor's issue commits number 1 during this render
            with app.extensions["db_engine"].begin() as conn:
                conn.execute(NoticeCounter.__table__.insert().values(year=2026, last=1))
        return real(doc, **kw)

    monkeypatch.setattr(documents, "render_document_pdf", render_while_another_issues)
    _in_app(app, lambda s: svc.issue(s, s.get(Notice, nid), user(s, "sup"), OFFICE))
    n = session.get(Notice, nid)
    assert numbers == ["省网信办整改〔2026〕1号", "省网信办整改〔2026〕2号"]
    assert n.number == "省网信办整改〔2026〕2号" and "省网信办整改〔2026〕2号" in _flat(_pdftext(n.pdf, tmp_path))


def test_two_supervisors_issuing_the_same_notice_give_it_one_number(app, world, session):
    nid = _in_app(app, lambda s: pending(s, "insp", _audit(s, world), world["pa"]).id)
    barrier, outcomes = threading.Barrier(2), []

    def worker(name):
        with app.app_context():
            s = db.session()
            notice = s.get(Notice, nid)
            barrier.wait(timeout=30)
            try:
                svc.issue(s, notice, user(s, name), OFFICE)
                s.commit()
                outcomes.append("issued")
            except ValidationError as e:
                s.rollback()
                outcomes.append(str(e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("sup", "sup2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["issued", "该整改通知书已被其他审核人处理，请刷新页面。"])
    assert session.scalar(select(NoticeCounter.last)) == 1
    assert session.get(Notice, nid).number == "省网信办整改〔2026〕1号"


def test_calendar_gap_refuses_issue_and_keeps_nothing(app, client, world, session, clock):
    clock.current = datetime(2040, 12, 28, 10, 0)  # the deadline runs into an undeclared year
    nid = _in_app(app, lambda s: pending(s, "insp", _audit(s, world), world["pa"]).id)
    login(client, "sup")
    r = client.post(f"/notices/{nid}/issue", follow_redirects=True)
    assert "无法计算整改期限" in r.get_data(as_text=True)
    n = session.get(Notice, nid)
    assert n.status == "待审核" and n.number is None
    assert session.scalar(select(func.count()).select_from(NoticeCounter)) == 0


# Rendering safety -----------------------------------------------------------------------------------

def test_hostile_text_is_escaped_and_never_fetched(app, client, world, session, monkeypatch, tmp_path):
    import reports.pdf

    fetched = []

    class Spy(reports.pdf.LocalOnlyFetcher):
        def fetch(self, url, headers=None):
            fetched.append(url)
            return super().fetch(url, headers)

    monkeypatch.setattr(reports.pdf, "LocalOnlyFetcher", Spy)
    login(client, "insp")
    nid = _draft(client, world)
    items = session.scalars(select(NoticeItem).where(NoticeItem.notice_id == nid)).all()
    hostile = '<img src="http://127.0.0.1:9/x">'
    css = "</style><style>body{background:url(http://127.0.0.1:9/css)}</style>"
    form = {"title": "通知" + css, "preamble": "正文" + hostile, "contact_name": hostile, "contact_phone": "1",
            **{f"requirement_{i.id}": "要求" + css for i in items}, "then": "save"}
    assert client.post(f"/notices/{nid}/edit", data=form).status_code == 302
    html = client.get(f"/notices/{nid}/preview").get_data(as_text=True)
    assert hostile not in html and "&lt;img src=&#34;http://127.0.0.1:9/x&#34;&gt;" in html
    assert "<style>body" not in html
    r = client.get(f"/notices/{nid}/draft.pdf")
    assert r.status_code == 200
    assert fetched and all(u.startswith("file://") for u in fetched), fetched  # only the stylesheet
    assert '<imgsrc="http://127.0.0.1:9/x">' in _flat(_pdftext(r.data, tmp_path))  # shown as text


# The platform's side --------------------------------------------------------------------------------

def test_platform_sees_only_its_own_issued_notices(app, world, session):
    def build(s):
        a = issued(s, "insp", "sup", _audit(s, world), world["pa"])
        b = issued(s, "insp", "sup", _audit(s, world, "audit_b"), world["pb"])
        extra = seed_audit(s, world["pa"], world["insp"], problems=(("TIM-02", "D-1"),), title="另一检查")
        d = svc.create_draft(s, user(s, "insp"), extra.id, world["pa"])
        return a.id, b.id, d.id

    a, b, draft = _in_app(app, build)
    pa = app.test_client()
    login(pa, "user_a")
    page = pa.get("/portal/notices/").get_data(as_text=True)
    assert "省网信办整改〔2026〕1号" in page and "省网信办整改〔2026〕2号" not in page
    assert pa.get(f"/portal/notices/{a}").status_code == 200
    for url in (f"/portal/notices/{b}", f"/portal/notices/{b}/pdf", f"/portal/notices/{draft}",
                f"/portal/notices/{draft}/pdf"):
        assert pa.get(url).status_code == 404, url
    for url in (f"/notices/{a}", f"/notices/{a}/pdf", "/notices/export.xlsx", f"/notices/{draft}/preview"):
        assert pa.get(url).status_code == 403, url
    assert pa.get("/notices/").headers["Location"].endswith("/portal/notices/")
    assert session.get(Notice, b).delivered_at is None


def test_first_view_by_the_platform_records_delivery(app, client, world, session, clock):
    nid = _in_app(app, lambda s: issued(s, "insp", "sup", _audit(s, world), world["pa"]).id)
    login(client, "boss")
    client.get(f"/notices/{nid}")
    client.get(f"/notices/{nid}/pdf")
    assert session.get(Notice, nid).delivered_at is None  # office staff do not count
    portal = app.test_client()
    login(portal, "user_a")
    assert "未读" in portal.get("/portal/notices/").get_data(as_text=True)
    first = clock()
    portal.get(f"/portal/notices/{nid}")
    clock.advance(hours=2)
    portal.get(f"/portal/notices/{nid}")
    portal.get(f"/portal/notices/{nid}/pdf")
    n = session.get(Notice, nid)
    assert n.delivered_at == first and n.delivered_by == "user_a"
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "notice.deliver")).all()
    assert len(events) == 1 and events[0].actor_name == "user_a" and events[0].platform_id == world["pa"]


def _answer_form(session, nid, text="已全面排查并整改。", files=None, skip=()):
    data = {}
    for it in session.scalars(select(NoticeItem).where(NoticeItem.notice_id == nid)):
        if it.status in std.ITEM_OPEN and it.id not in skip:
            data[f"text_{it.id}"] = f"{text}（{it.rule_code}）"
            if files:
                data[f"files_{it.id}"] = [(io.BytesIO(content), name) for name, content in files]
    return data


def test_answer_and_verify_loop_until_complete(app, client, world, session, tmp_path):
    nid = _in_app(app, lambda s: issued(s, "insp", "sup", _audit(s, world), world["pa"]).id)
    items = session.scalars(select(NoticeItem).where(NoticeItem.notice_id == nid).order_by(NoticeItem.position)).all()
    assert [i.rule_code for i in items] == ["PRO-02", "TIM-01", "REC-03", "LED-03"]
    portal = app.test_client()
    login(portal, "user_a")
    # a missing report and a file that is not a PDF or an image: refused, nothing stored
    form = _answer_form(session, nid, skip=(items[0].id,))
    form[f"files_{items[1].id}"] = [(io.BytesIO(b"MZ\x90\x00 not a pdf"), "整改报告.pdf")]
    r = portal.post(f"/portal/notices/{nid}", data=form, content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "第（一）项 举报人信息未隐去：请填写整改情况报告。" in body
    assert "不是图片（PNG、JPEG、GIF、WebP）或 PDF 文件" in body
    assert session.scalar(select(func.count()).select_from(NoticeAnswer)) == 0
    stored_dir = tmp_path / "uploads" / "notices"
    assert not stored_dir.exists() or not any(stored_dir.iterdir())
    # round 1: every item answered, with files
    r = portal.post(f"/portal/notices/{nid}", data=_answer_form(session, nid, files=[("报告.pdf", PDF), ("截图.png", PNG)]),
                    content_type="multipart/form-data")
    assert r.status_code == 302
    assert set(session.scalars(select(NoticeItem.status).where(NoticeItem.notice_id == nid))) == {"待核验"}
    assert session.get(Notice, nid).answer_round == 1
    stored = session.scalars(select(NoticeFile)).all()
    assert len(stored) == 2 * len(items) and all(f.stored_name not in ("报告.pdf", "截图.png") for f in stored)
    assert {f.mime for f in stored} == {"application/pdf", "image/png"}
    # one submission per round
    r = portal.post(f"/portal/notices/{nid}", data=_answer_form(session, nid) or {"text_0": "x"},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "本轮整改情况已报送" in r.get_data(as_text=True)
    # the platform downloads its own file as an attachment; the inspector too
    f = stored[0]
    r = portal.get(f"/portal/notices/{nid}/files/{f.id}")
    assert r.data == PDF and r.headers["Content-Disposition"].startswith("attachment")
    login(client, "insp2")
    r = client.get(f"/notices/files/{f.id}")
    assert r.data == PDF and r.headers["Content-Disposition"].startswith("attachment")
    # the inspector accepts items and sends one back (a reason is required)
    for it in (items[0], items[1], items[3]):
        client.post(f"/notices/{nid}/items/{it.id}/verify", data={"decision": "accept", "reason": ""})
    r = client.post(f"/notices/{nid}/items/{items[2].id}/verify", data={"decision": "reject", "reason": ""},
                    follow_redirects=True)
    assert "退回整改须写明理由" in r.get_data(as_text=True)
    client.post(f"/notices/{nid}/items/{items[2].id}/verify", data={"decision": "reject", "reason": "未附留存制度。"})
    status = dict(session.execute(select(NoticeItem.rule_code, NoticeItem.status).where(NoticeItem.notice_id == nid)).all())
    assert status == {"PRO-02": "已通过", "TIM-01": "已通过", "REC-03": "已退回", "LED-03": "已通过"}
    ledger = dict(session.execute(select(Problem.rule_code, Problem.status).where(Problem.notice_id == nid)).all())
    assert ledger == {"PRO-02": "已整改", "TIM-01": "已整改", "REC-03": "整改中", "LED-03": "已整改"}
    assert session.get(Notice, nid).status == "已签发"
    page = portal.get(f"/portal/notices/{nid}").get_data(as_text=True)
    assert "未附留存制度。" in page and 'name="text_%d"' % items[2].id in page
    assert 'name="text_%d"' % items[0].id not in page
    # round 2: only the rejected item
    r = portal.post(f"/portal/notices/{nid}", data=_answer_form(session, nid, text="已补充整改台账。"),
                    content_type="multipart/form-data")
    assert r.status_code == 302
    answers = session.scalars(select(NoticeAnswer).where(NoticeAnswer.round == 2)).all()
    assert [a.item_id for a in answers] == [items[2].id]
    client.post(f"/notices/{nid}/items/{items[2].id}/verify", data={"decision": "accept", "reason": "整改到位。"})
    n = session.get(Notice, nid)
    assert n.status == "已完成" and n.completed_at is not None
    assert set(session.scalars(select(Problem.status).where(Problem.notice_id == nid))) == {"已整改"}
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("notice.%"))
                              .order_by(AuditEvent.seq)).all()
    assert actions.count("notice.answer") == 2 and actions.count("notice.verify") == 5
    assert actions[-1] == "notice.complete"
    # nothing left to answer or check
    assert 'type="file"' not in portal.get(f"/portal/notices/{nid}").get_data(as_text=True)


def test_another_platform_cannot_read_answer_files(app, world, session):
    nid = _in_app(app, lambda s: issued(s, "insp", "sup", _audit(s, world), world["pa"]).id)
    pa = app.test_client()
    login(pa, "user_a")
    pa.post(f"/portal/notices/{nid}", data=_answer_form(session, nid, files=[("报告.pdf", PDF)]),
            content_type="multipart/form-data")
    f = session.scalar(select(NoticeFile))
    pb = app.test_client()
    login(pb, "user_b")
    other = _in_app(app, lambda s: issued(s, "insp", "sup", _audit(s, world, "audit_b"), world["pb"]).id)
    assert pb.get(f"/portal/notices/{nid}/files/{f.id}").status_code == 404
    assert pb.get(f"/portal/notices/{other}/files/{f.id}").status_code == 404


# Deadlines and escalation ---------------------------------------------------------------------------

def test_scan_overdue_with_a_controllable_clock(app, world, session, clock):
    def build(s):
        late = issued(s, "insp", "sup", _audit(s, world), world["pa"])
        answered = issued(s, "insp", "sup", _audit(s, world, "audit_b"), world["pb"])
        return late.id, answered.id

    late, answered = _in_app(app, build)

    def accept_one_and_answer_other(s):
        n = s.get(Notice, late)
        items = svc.items_of(s, n)
        svc.submit_answers(s, n, user(s, "user_a"), {it.id: ("已整改", []) for it in items}, app.config["UPLOAD_DIR"])
        svc.verify_item(s, n, items[0], user(s, "insp"), "accept", "")
        for it in items[1:]:
            svc.verify_item(s, n, it, user(s, "insp"), "reject", "不到位")
        m = s.get(Notice, answered)
        svc.submit_answers(s, m, user(s, "user_b"), {it.id: ("已整改", []) for it in svc.items_of(s, m)},
                           app.config["UPLOAD_DIR"])

    _in_app(app, accept_one_and_answer_other)
    deadline = session.get(Notice, late).deadline
    with app.app_context():
        s = db.session()
        assert svc.scan_overdue(s, deadline) == {"notices": 0, "problems": 0}  # not yet past
        assert svc.overdue_notices(s, deadline) == []
        later = deadline + timedelta(seconds=1)
        listed = svc.overdue_notices(s, later)
        assert [(o.notice_id, o.open_items) for o in listed] == [(late, 3)]
        counts = svc.scan_overdue(s, later)
        s.commit()
        assert counts == {"notices": 1, "problems": 6}  # TIM-01 ×4, REC-03, LED-03; PRO-02 was accepted
        assert svc.scan_overdue(s, later + timedelta(days=1)) == {"notices": 0, "problems": 0}
        s.commit()
    n = session.get(Notice, late)
    assert n.status == "逾期" and n.overdue_at == deadline + timedelta(seconds=1)
    ledger = session.execute(select(Problem.rule_code, Problem.status).where(Problem.notice_id == late)).all()
    assert {c: st for c, st in ledger} == {"PRO-02": "已整改", "TIM-01": "逾期未整改", "REC-03": "逾期未整改",
                                           "LED-03": "逾期未整改"}
    assert session.get(Notice, answered).status == "已签发"  # its answers await the inspector: not overdue
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "notice.overdue")).all()
    assert len(events) == 1 and events[0].actor_name == "system"
    # a late answer still completes the notice; the entries follow
    def finish(s):
        m = s.get(Notice, late)
        items = [it for it in svc.items_of(s, m) if it.status == "已退回"]
        svc.submit_answers(s, m, user(s, "user_a"), {it.id: ("补充整改", []) for it in items}, app.config["UPLOAD_DIR"])
        for it in items:
            svc.verify_item(s, m, it, user(s, "insp"), "accept", "")

    _in_app(app, finish)
    assert session.get(Notice, late).status == "已完成"
    assert set(session.scalars(select(Problem.status).where(Problem.notice_id == late))) == {"已整改"}


def test_escalation_after_overdue_records_its_own_document(app, client, world, session, clock, tmp_path):
    nid = _in_app(app, lambda s: issued(s, "insp", "sup", _audit(s, world), world["pa"]).id)
    login(client, "insp2")
    r = client.get(f"/notices/{nid}/escalate", follow_redirects=True)
    assert "只有逾期的整改通知书可以采取后续措施" in r.get_data(as_text=True)
    with app.app_context():
        s = db.session()
        svc.scan_overdue(s, s.get(Notice, nid).deadline + timedelta(days=1))
        s.commit()
    page = client.get(f"/notices/{nid}/escalate?kind=约谈").get_data(as_text=True)
    assert "关于约谈甲平台有关负责人的通知" in page and "省网信办整改〔2026〕1号" in page
    r = client.post(f"/notices/{nid}/escalate", data={"kind": "约谈", "title": "关于约谈甲平台有关负责人的通知",
                                                      "addressee": "甲平台", "body": "", "number": ""})
    assert r.status_code == 422 and "请填写正文" in r.get_data(as_text=True)
    r = client.post(f"/notices/{nid}/escalate", data={
        "kind": "约谈", "title": "关于约谈甲平台有关负责人的通知", "addressee": "甲平台", "number": "省网信办约〔2026〕1号",
        "body": "你平台逾期未完成整改。\n请于5个工作日内联系我办。"})
    assert r.status_code == 302
    e = session.scalar(select(NoticeEscalation))
    assert e.kind == "约谈" and e.pdf_sha256 == hashlib.sha256(e.pdf).hexdigest() and e.created_by == "insp2"
    r = client.get(f"/notices/escalations/{e.id}/pdf")
    assert r.data == e.pdf
    flat = _flat(_pdftext(r.data, tmp_path))
    assert "关于约谈甲平台有关负责人的通知" in flat and "请于5个工作日内联系我办" in flat and "2026年11月20日" in flat
    assert "省网信办约〔2026〕1号" in flat
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "notice_escalation")) == \
        "notice.escalate"


# Register, export, settings, scorecard figures ------------------------------------------------------

def test_register_lists_overdue_first_and_exports_safely(app, client, world, session, clock):
    def build(s):
        first = issued(s, "insp", "sup", _audit(s, world), world["pa"])
        clock.advance(days=5)
        second = issued(s, "insp", "sup", _audit(s, world, "audit_b"), world["pb"])
        svc.scan_overdue(s, first.deadline + timedelta(days=1))
        extra = seed_audit(s, world["pa"], world["insp"], problems=(("TIM-02", "D-1"),), title="另一检查")
        d = svc.create_draft(s, user(s, "insp"), extra.id, world["pa"])
        d.title = "=HYPERLINK(\"http://evil\")"
        return first.id, second.id, d.id

    first, second, draft = _in_app(app, build)
    login(client, "boss")
    page = client.get("/notices/").get_data(as_text=True)
    assert page.index("省网信办整改〔2026〕1号") < page.index("省网信办整改〔2026〕2号")
    assert "逾期" in page
    page = client.get("/notices/?overdue=1").get_data(as_text=True)
    assert "省网信办整改〔2026〕1号" in page and "省网信办整改〔2026〕2号" not in page
    assert "省网信办整改〔2026〕1号" in client.get("/notices/?year=2026").get_data(as_text=True)
    assert "共 0 份" in client.get("/notices/?year=2025").get_data(as_text=True)
    assert "共 1 份" in client.get("/notices/?status=草稿").get_data(as_text=True)
    page = client.get("/notices/?platform=pb").get_data(as_text=True)
    assert "省网信办整改〔2026〕2号" in page and "省网信办整改〔2026〕1号" not in page
    from openpyxl import load_workbook

    r = client.get("/notices/export.xlsx")
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("文号", "平台", "标题", "状态") and rows[1][0] == "省网信办整改〔2026〕1号"
    formula_cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(\"http://evil\")")
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix


def test_document_settings_are_an_admins_and_used_at_issue(app, client, world, session, tmp_path):
    login(client, "admin1")
    r = client.post("/admin/document-settings", data={"prefix": "浙网信〔办", "authority": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "不能含括号或空格" in body and "请填写发文机关名称" in body
    r = client.post("/admin/document-settings", data={"prefix": "浙网信办改", "authority": "浙江省互联网信息办公室"})
    assert r.status_code == 302
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "document_settings.update"))
    assert "省网信办整改" in event.before and "浙网信办改" in event.after
    insp = app.test_client()
    login(insp, "insp")
    assert insp.get("/admin/document-settings").status_code == 403
    nid = _in_app(app, lambda s: issued(s, "insp", "sup", _audit(s, world), world["pa"]).id)
    n = session.get(Notice, nid)
    assert n.number == "浙网信办改〔2026〕1号" and n.authority == "浙江省互联网信息办公室"
    assert "浙江省互联网信息办公室文件" in _flat(_pdftext(n.pdf, tmp_path))


def test_rectification_counts_for_the_scorecard(app, world, session):
    def build(s):
        a = issued(s, "insp", "sup", _audit(s, world), world["pa"])  # deadline 2026-12-11, 4 items
        b = issued(s, "insp", "sup", _audit(s, world, "audit_b"), world["pb"])  # 1 item
        items = svc.items_of(s, a)
        svc.submit_answers(s, a, user(s, "user_a"), {it.id: ("已整改", []) for it in items}, app.config["UPLOAD_DIR"])
        svc.verify_item(s, a, items[0], user(s, "insp"), "accept", "")  # on time
        svc.verify_item(s, a, items[1], user(s, "insp"), "reject", "不到位")
        return a.id, b.id, a.deadline

    a, b, deadline = _in_app(app, build)

    def late_accept(s):
        from flask import current_app

        current_app.config["CLOCK"].current = deadline + timedelta(days=2)
        n = s.get(Notice, a)
        item = svc.items_of(s, n)[2]
        svc.verify_item(s, n, item, user(s, "insp"), "accept", "")  # after the deadline

    _in_app(app, late_accept)
    with app.app_context():
        s = db.session()
        assert svc.rectification_counts(s, "2026-12") == {world["pa"]: (4, 1), world["pb"]: (1, 0)}
        assert svc.rectification_counts(s, "2026-11") == {}


def test_demo_notice_is_issued_once(app, world, session):
    from supervision.services.accounts import create_user

    def demo(s):
        for name, role in (("inspector", "inspector"), ("supervisor", "supervisor")):
            create_user(s, name, role, "Passw0rd-for-tests", name)
        s.flush()
        svc.load_demo_notice(s, OFFICE)
        svc.load_demo_notice(s, OFFICE)

    _in_app(app, demo)
    notices = session.scalars(select(Notice)).all()
    assert len(notices) == 1 and notices[0].status == "已签发" and notices[0].platform_id == world["pb"]


def test_problem_ledger_links_to_the_notice(app, client, world, session):
    nid = _in_app(app, lambda s: issued(s, "insp", "sup", _audit(s, world), world["pa"]).id)
    draft_audit = _in_app(app, lambda s: seed_audit(s, world["pa"], world["insp"], problems=(("TIM-02", "D-1"),)).id)
    _in_app(app, lambda s: svc.create_draft(s, user(s, "insp"), draft_audit, world["pa"]))
    login(client, "boss")
    assert f'href="/notices/{nid}"' in client.get("/problems/").get_data(as_text=True)
    portal = app.test_client()
    login(portal, "user_a")
    page = portal.get("/problems/").get_data(as_text=True)
    assert f'href="/portal/notices/{nid}"' in page
    assert page.count("整改通知书</a>") == session.scalar(
        select(func.count()).select_from(Problem).where(Problem.notice_id == nid))  # not the draft's entry


def test_audit_chain_holds_after_the_whole_cycle(app, client, world, session):
    nid = _in_app(app, lambda s: issued(s, "insp", "sup", _audit(s, world), world["pa"]).id)
    portal = app.test_client()
    login(portal, "user_a")
    portal.post(f"/portal/notices/{nid}", data=_answer_form(session, nid), content_type="multipart/form-data")
    from supervision import auditlog

    with app.app_context():
        assert auditlog.verify(db.session()).ok


def test_more_problems_confirmed_later_can_go_into_a_second_notice(app, world, session):
    def build(s):
        audit = _audit(s, world)
        first = issued(s, "insp", "sup", audit, world["pa"])
        add_problems(s, audit, world["pa"], (("DIS-01", "R-0100"),))
        second = pending(s, "insp", audit, world["pa"])
        return first.id, second.id

    first, second = _in_app(app, build)
    assert session.scalars(select(NoticeItem.rule_code).where(NoticeItem.notice_id == second)).all() == ["DIS-01"]
    assert session.scalar(select(Notice.number).where(Notice.id == first)) == "省网信办整改〔2026〕1号"
