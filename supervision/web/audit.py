"""The security auditor's view of the audit log: browse, verify the chain, export."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, render_template, request
from sqlalchemy import func, select

from importers.safe_export import rows_to_csv
from supervision import auditlog, db
from supervision.models import AuditEvent
from supervision.permissions import AUDIT_READ, requires
from supervision.web.forms import page_arg

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


def _filtered():
    q = select(AuditEvent)
    args = request.args
    errors = []
    if args.get("action"):
        q = q.where(AuditEvent.action.like(args["action"].strip() + "%"))
    if args.get("actor"):
        q = q.where(AuditEvent.actor_name == args["actor"].strip())
    if args.get("object_type"):
        q = q.where(AuditEvent.object_type == args["object_type"].strip())
    for key, label, op in (("from", "起始日期", "ge"), ("to", "截止日期", "le")):
        raw = args.get(key, "").strip()
        if not raw:
            continue
        try:
            day = datetime.strptime(raw, "%Y-%m-%d")
        except ValueError:
            errors.append(f"{label}“{raw}”不是 YYYY-MM-DD 格式的日期，已忽略。")
            continue
        q = q.where(AuditEvent.at >= day) if op == "ge" else q.where(AuditEvent.at < day + timedelta(days=1))
    return q, errors


@bp.route("/")
@requires(AUDIT_READ)
def index():
    s = db.session()
    q, errors = _filtered()
    total = s.scalar(select(func.count()).select_from(q.subquery()))
    page = page_arg()
    events = s.scalars(q.order_by(AuditEvent.seq.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("audit/index.html", events=events, total=total, page=page, pages=pages,
                           errors=errors, args=request.args)


@bp.route("/verify")
@requires(AUDIT_READ)
def verify():
    report = auditlog.verify(db.session())
    return render_template("audit/verify.html", report=report)


@bp.route("/export.csv")
@requires(AUDIT_READ)
def export():
    s = db.session()
    q, _ = _filtered()
    events = s.scalars(q.order_by(AuditEvent.seq).execution_options(yield_per=2000))
    header = ["序号", "时间", "用户", "角色", "平台ID", "操作", "对象类型", "对象ID", "变更前", "变更后", "来源IP",
              "前序哈希", "哈希"]
    rows = ([e.seq, e.at, e.actor_name, e.actor_role, e.platform_id, e.action, e.object_type, e.object_id,
             e.before, e.after, e.ip, e.prev_hash, e.hash] for e in events)
    body = rows_to_csv(header, rows)
    auditlog.record(s, "audit.export", "audit_log", "", None, dict(request.args))
    s.commit()
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=audit-log.csv"})
