"""Helpers for complaint tests: file complaints through the service and walk them through steps."""
from __future__ import annotations

from datetime import date

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def filing(**overrides):
    from supervision.services.complaints import FilingInput

    values = dict(name="张三丰", contact="13912345678", platform="pa", platform_other="", report_number="R-0001",
                  report_date=date(2026, 11, 10), complaint_type="举报处置不及时",
                  description="我于11月10日举报侵权内容，平台至今未处理。", consent=True, files=[])
    values.update(overrides)
    return FilingInput(**values)


def file_one(s, app, **overrides):
    from supervision.services.complaints import file_complaint

    return file_complaint(s, filing(**overrides), app.config["UPLOAD_DIR"])


def to_answered(s, app, complaint, text="已核查，已删除相关内容。", files=None):
    from supervision.services import complaints as svc

    svc.accept(s, complaint)
    svc.transfer(s, complaint, "请核查并答复。")
    svc.respond(s, complaint, text, files or [], app.config["UPLOAD_DIR"])


def file_canaries(s, app, canaries, platform="pa", prefix="R-C"):
    """File one complaint per canary (name, contact, text with more personal data), transfer each
    to the platform with the name and contact in the request, and close the first one as
    substantiated with the name in the reply. Returns the complaints."""
    from supervision.services import complaints as svc

    filed = []
    for i, canary in enumerate(canaries):
        c = file_one(s, app, platform=platform, name=canary["name"], contact=canary["contact"],
                     description=f"我是{canary['name']}。{canary['text']}", report_number=f"{prefix}{i}",
                     files=[("证据.png", PNG)]).complaint
        svc.accept(s, c)
        svc.transfer(s, c, f"请核查 {canary['name']} 的投诉，电话 {canary['contact']}")
        if i == 0:
            svc.respond(s, c, "已处理", [], app.config["UPLOAD_DIR"])
            svc.close(s, c, "投诉成立", f"{canary['name']}您好，经核查投诉成立。")
        filed.append(c)
    return filed
