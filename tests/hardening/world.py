"""A small province whose every user-controlled text field holds a hostile payload, for the
hostile-input tests (XSS, formula injection, SQL-injection probes).

Two platforms: ``pa`` (甲平台) carries the payloads; ``pb`` (乙平台) holds ordinary data that
platform ``pa``'s user must never see. Staff of every role, ledgers (one accepted with findings,
one rejected whose errors quote the payload), complaints (answered by the platform, closed with a
reply), a started audit with a reviewed sample, and an issued notice answered by the platform.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from supervision import db
from supervision.models import Audit, Complaint, SampleItem
from supervision.services import audits as audits_svc
from supervision.services import complaints as complaints_svc
from supervision.services import notices as notices_svc
from tests.complaint_helpers import file_one
from tests.ledger_rows import ledger, row
from tests.ledger_samples import to_csv_bytes
from tests.notices.helpers import OFFICE, user

LATE = {"处置完成时间": "2026-09-10 09:00:00", "反馈时间": "2026-09-10 10:00:00"}
STAFF = (("insp", "inspector"), ("sup", "supervisor"), ("handler", "complaint_handler"), ("boss", "leader"),
         ("adm", "admin"), ("aud", "security_auditor"))


@dataclass
class World:
    payload: str
    ids: dict = field(default_factory=dict)
    tracking: dict = field(default_factory=dict)  # complaint key -> (tracking number, query code)


def _import(runner, tmp_path, frame, period: str, platform: str, name: str, expect: int = 0):
    path = tmp_path / name
    path.write_bytes(to_csv_bytes(frame))
    y, m = map(int, period.split("-"))
    r = runner.invoke(args=["ledger", "import", "--platform", platform, "--period", period, "--submitted-at",
                            f"{y + (m == 12)}-{m % 12 + 1:02d}-06 10:00", str(path)])
    assert r.exit_code == expect, r.output
    return r


def build(app, runner, make_platform, make_user, tmp_path, payload: str, report_id: str | None = None) -> World:
    """``payload`` goes into every free-text field; ``report_id`` (≤ 64 characters) into the
    举报编号 of platform pa's reports (defaults to the payload)."""
    w = World(payload)
    rid = report_id or payload
    w.ids["pa"] = make_platform("pa", "甲平台")
    w.ids["pb"] = make_platform("pb", "乙平台")
    for name, role in STAFF:
        w.ids[name] = make_user(name, role)
    w.ids["user_a"] = make_user("user_a", "platform", "pa")
    w.ids["user_b"] = make_user("user_b", "platform", "pb")

    # Ledgers: pa's reports carry the payload in every text column; one late (findings).
    text_cells = {"被举报账号": rid, "侵权链接": payload, "承办人": rid, "复核人": rid[:62] + "R",
                  "备注": payload, "延期说明": payload}
    _import(runner, tmp_path, ledger(row(rid, **text_cells, **LATE), row(rid + "2", **text_cells),
                                     row("A-PLAIN", **LATE)), "2026-09", "pa", "a.csv")
    _import(runner, tmp_path, ledger(row("B-SECRET1", **LATE), row("B-SECRET2")), "2026-09", "pb", "b.csv")
    # A rejected ledger: the invalid cells quote the payload back in the error list.
    _import(runner, tmp_path, ledger(row(rid + "X", 举报类型=payload, 受理时间=payload)), "2026-08", "pa",
            "bad.csv", expect=1)

    with app.app_context():
        s = db.session()
        # Complaints: the complainant's texts, the platform's answer, the handler's reply.
        answered = file_one(s, app, name=payload[:20] or "张三", description="投诉内容：" + payload,
                            report_number=rid[:40], platform_other="")
        complaints_svc.accept(s, answered.complaint, payload)
        complaints_svc.transfer(s, answered.complaint, "请核查：" + payload)
        complaints_svc.respond(s, answered.complaint, payload + " 平台答复", [], app.config["UPLOAD_DIR"])
        closed = file_one(s, app, name="李四", contact="13912345679", description="另一投诉 " + payload,
                          report_number="R-0002")
        complaints_svc.accept(s, closed.complaint)
        complaints_svc.transfer(s, closed.complaint, "请核查。")
        complaints_svc.respond(s, closed.complaint, "已处理。", [], app.config["UPLOAD_DIR"])
        complaints_svc.close(s, closed.complaint, "投诉成立", payload + " 办结答复", payload)
        other = file_one(s, app, name="王五", contact="13912345670", platform="pb", description="乙平台投诉 B-SECRET",
                         report_number="B-SECRET1")
        complaints_svc.accept(s, other.complaint)
        complaints_svc.transfer(s, other.complaint, "请核查。")
        for key, filed in (("answered", answered), ("closed", closed), ("other", other)):
            w.tracking[key] = (filed.complaint.tracking_no, filed.query_code)
            w.ids["complaint_" + key] = filed.complaint.id
        s.commit()

        # A started audit of pa and pb for 2026-09 with a reviewed sample.
        audit = audits_svc.create_audit(s, user(s, "insp"), audits_svc.AuditInput(
            kind="focused", title="检查 " + payload, period_from="2026-09", period_to="2026-09", due_date=date(2026, 12, 31),
            platform_codes=["pa", "pb"], inspector_ids=[w.ids["insp"]]))
        s.flush()
        audits_svc.start_audit(s, audit, "insp")
        s.commit()
        w.ids["audit"] = audit.id
        items = s.scalars(select(SampleItem).where(SampleItem.audit_id == audit.id,
                                                   SampleItem.platform_id == w.ids["pa"])).all()
        assert items, "the audit drew no sample of pa"
        audits_svc.set_verdict(s, items[0], "不合规", payload, "insp")
        audits_svc.add_code(s, items[0], "REC-01", payload, "insp")
        w.ids["item"] = items[0].id
        s.commit()

        # A notice to pa, drafted with the payload, issued, answered with the payload.
        notice = notices_svc.create_draft(s, user(s, "insp"), audit.id, w.ids["pa"])
        s.flush()
        notices_svc.update_draft(s, notice, user(s, "insp"), notices_svc.DraftEdit(
            title=payload, preamble=notice.preamble + payload, contact_name="联系人" + payload[:10],
            contact_phone="0571-87000000",
            requirements={it.id: it.requirement + payload for it in notices_svc.items_of(s, notice)}))
        notices_svc.submit(s, notice, user(s, "insp"))
        notices_svc.issue(s, notice, user(s, "sup"), OFFICE)
        s.commit()
        answers = {it.id: (payload + " 整改情况", []) for it in notices_svc.items_of(s, notice)}
        notices_svc.submit_answers(s, notice, user(s, "user_a"), answers, app.config["UPLOAD_DIR"])
        s.commit()
        w.ids["notice"] = notice.id
        assert s.get(Audit, audit.id) is not None and s.get(Complaint, w.ids["complaint_answered"]) is not None
    return w
