"""Bulletins (通报, 信息公开): the office's register, drafting by hand, editing the text and
typical cases, approval and publication; the public pages (no login) listing published
bulletins, each as HTML and PDF, and the Atom feed. Unpublished bulletins are never public:
their public addresses answer 404."""
from __future__ import annotations

from datetime import timedelta, timezone

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from reports import bulletin as documents
from supervision import auditlog, db
from supervision.models import Audit, Bulletin, BulletinCase, User
from supervision.permissions import BULLETINS_APPROVE, BULLETINS_EDIT, BULLETINS_VIEW, has_permission
from supervision.services import bulletins as svc
from supervision.services.scores import default_period
from supervision.standard import bulletins as std
from supervision.web.forms import ActionForm
from supervision.web.notices import attempt, flash_errors, pdf_response, staff

bp = Blueprint("bulletins", __name__)

AUDIT_ACTION_LABELS = {
    "bulletin.draft": "起草通报", "bulletin.update": "修改通报文字", "bulletin.refresh": "通报重新取数",
    "bulletin.case_add": "选入典型案例", "bulletin.case_update": "修改典型案例", "bulletin.case_remove": "移除典型案例",
    "bulletin.submit": "通报提交审核", "bulletin.return": "通报退回修改", "bulletin.publish": "发布通报",
    "bulletin.delete": "删除通报草稿",
}
BEIJING = timezone(timedelta(hours=8))


@bp.record_once
def _labels(_state) -> None:
    for key, label in AUDIT_ACTION_LABELS.items():
        auditlog.ACTION_LABELS.setdefault(key, label)
    auditlog.OBJECT_LABELS.setdefault("bulletin", "通报")


def _office_name() -> str:
    return current_app.config["OFFICE_NAME"]


def _bulletin_or_404(bulletin_id: int) -> Bulletin:
    b = db.session().get(Bulletin, bulletin_id)
    if b is None:
        abort(404)
    return b


def _published_or_404(bulletin_id: int) -> Bulletin:
    b = db.session().get(Bulletin, bulletin_id)
    if b is None or b.status != std.PUBLISHED or b.pdf_sha256 is None:
        abort(404)
    return b


# The office's pages -------------------------------------------------------------------------------------

@bp.route("/bulletins/")
@staff(BULLETINS_VIEW)
def index():
    s = db.session()
    status = request.args.get("status", "")
    q = select(Bulletin).order_by(Bulletin.id.desc())
    if status in std.STATES:
        q = q.where(Bulletin.status == status)
    rows = s.scalars(q.limit(200)).all()
    users = {u.id: u for u in s.scalars(select(User).where(User.id.in_(
        {b.editor_id for b in rows if b.editor_id} | {b.published_by_id for b in rows if b.published_by_id})))}
    return render_template("bulletins/index.html", rows=rows, users=users, status=status, statuses=std.STATES,
                           kinds=std.KIND_LABELS, can_edit=has_permission(current_user, BULLETINS_EDIT))


@bp.route("/bulletins/new", methods=["GET", "POST"])
@staff(BULLETINS_EDIT)
def create():
    s = db.session()
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        kind = request.form.get("kind", "")
        if kind == std.INSPECTION:
            audit_id = request.form.get("audit", "")
            run = (lambda s: svc.create_inspection(s, current_user, int(audit_id))) if audit_id.isdigit() else None
        else:
            period = request.form.get("period", "").strip()
            run = lambda s: svc.create_monthly(s, current_user, period)  # noqa: E731
        if run is None:
            flash_errors({"audit": "请选择督导检查。"})
        else:
            b, errors = attempt(run)
            if not errors:
                flash("已起草通报，数据取自评价排名；请编辑文字、选择典型案例后提交审核。", "success")
                return redirect(url_for("bulletins.edit", bulletin_id=b.id))
            flash_errors(errors)
    return render_template("bulletins/new.html", audits=svc.draftable_audits(s), form=ActionForm(),
                           default_period=default_period().key)


@bp.route("/bulletins/<int:bulletin_id>")
@staff(BULLETINS_VIEW)
def detail(bulletin_id: int):
    s = db.session()
    b = _bulletin_or_404(bulletin_id)
    people = {u.id: u for u in s.scalars(select(User).where(User.id.in_(
        [i for i in (b.editor_id, b.published_by_id) if i])))}
    corrects = s.get(Bulletin, b.corrects_id) if b.corrects_id else None
    corrections = s.scalars(select(Bulletin).where(Bulletin.corrects_id == b.id).order_by(Bulletin.id)).all()
    editable = b.status == std.DRAFT and b.editor_id in (None, current_user.id) and has_permission(current_user,
                                                                                                    BULLETINS_EDIT)
    return render_template(
        "bulletins/detail.html", b=b, people=people, corrects=corrects, corrections=corrections, form=ActionForm(),
        kinds=std.KIND_LABELS, editable=editable, is_editor=b.editor_id == current_user.id,
        can_edit=has_permission(current_user, BULLETINS_EDIT), can_approve=has_permission(current_user, BULLETINS_APPROVE),
        pii=svc.personal_data_problems(s, b) if b.status != std.PUBLISHED else {},
        audit=s.get(Audit, b.audit_id) if b.audit_id else None,
        document=Markup(b.html) if b.status == std.PUBLISHED else
        Markup(documents.render_fragment(svc.document(s, b, _office_name()))))


@bp.route("/bulletins/<int:bulletin_id>/edit", methods=["GET", "POST"])
@staff(BULLETINS_EDIT)
def edit(bulletin_id: int):
    s = db.session()
    b = _bulletin_or_404(bulletin_id)
    if b.status != std.DRAFT or b.editor_id not in (None, current_user.id):
        flash("只有编辑人可以修改草稿状态的通报。", "error")
        return redirect(url_for("bulletins.detail", bulletin_id=b.id))
    cases = svc.cases_of(s, b)
    values = {"title": b.title, "intro": b.intro, "analysis": b.analysis, "closing": b.closing,
              **{f"case_title_{c.id}": c.title for c in cases}, **{f"case_text_{c.id}": c.text for c in cases}}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        values = {k: request.form.get(k, "") for k in values}
        then_submit = request.form.get("then") == "submit"

        def save(s):
            svc.update_text(s, b, current_user, values["title"], values["intro"], values["analysis"], values["closing"])
            for c in cases:
                svc.update_case(s, b, c, current_user, values[f"case_title_{c.id}"], values[f"case_text_{c.id}"])
            if then_submit:
                svc.submit(s, b, current_user)

        _, errors = attempt(save)
        if not errors:
            flash("已提交审核。" if then_submit else "草稿已保存。", "success")
            return redirect(url_for("bulletins.detail" if then_submit else "bulletins.edit", bulletin_id=bulletin_id))
        status = 422
        b = _bulletin_or_404(bulletin_id)
        cases = svc.cases_of(s, b)
    return render_template("bulletins/edit.html", b=b, cases=cases, values=values, errors=errors, form=ActionForm(),
                           candidates=svc.case_candidates(s, b), pii=svc.personal_data_problems(s, b),
                           allowed_tags="、".join(f"<{t}>" for t in sorted(std.ALLOWED_TAGS))), status


def _action(bulletin_id: int, run, done: str, back: str = "bulletins.detail"):
    b = _bulletin_or_404(bulletin_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    result, errors = attempt(lambda s: run(s, b))
    if errors:
        flash_errors(errors)
    else:
        flash(done, "success")
    return redirect(url_for(back, bulletin_id=bulletin_id)), result, errors


@bp.route("/bulletins/<int:bulletin_id>/cases", methods=["POST"])
@staff(BULLETINS_EDIT)
def add_case(bulletin_id: int):
    source, _, sid = request.form.get("case", "").partition(":")
    if not sid.isdigit():
        flash("请选择一个案例来源。", "error")
        return redirect(url_for("bulletins.edit", bulletin_id=bulletin_id))
    return _action(bulletin_id, lambda s, b: svc.add_case(s, b, current_user, source, int(sid)),
                   "已选入典型案例；请改写案例文字，确保不含个人信息。", "bulletins.edit")[0]


@bp.route("/bulletins/<int:bulletin_id>/cases/<int:case_id>/remove", methods=["POST"])
@staff(BULLETINS_EDIT)
def remove_case(bulletin_id: int, case_id: int):
    case = db.session().get(BulletinCase, case_id)
    if case is None or case.bulletin_id != bulletin_id:
        abort(404)
    return _action(bulletin_id, lambda s, b: svc.remove_case(s, b, case, current_user), "已移除典型案例。",
                   "bulletins.edit")[0]


@bp.route("/bulletins/<int:bulletin_id>/refresh", methods=["POST"])
@staff(BULLETINS_EDIT)
def refresh(bulletin_id: int):
    return _action(bulletin_id, lambda s, b: svc.refresh_figures(s, b, current_user), "已按最新数据重新取数。")[0]


@bp.route("/bulletins/<int:bulletin_id>/submit", methods=["POST"])
@staff(BULLETINS_EDIT)
def submit(bulletin_id: int):
    return _action(bulletin_id, lambda s, b: svc.submit(s, b, current_user), "已提交审核。")[0]


@bp.route("/bulletins/<int:bulletin_id>/return", methods=["POST"])
@staff(BULLETINS_APPROVE)
def return_(bulletin_id: int):
    return _action(bulletin_id, lambda s, b: svc.return_to_draft(s, b, current_user, request.form.get("reason", "")),
                   "已退回编辑人修改。")[0]


@bp.route("/bulletins/<int:bulletin_id>/publish", methods=["POST"])
@staff(BULLETINS_APPROVE)
def publish(bulletin_id: int):
    return _action(bulletin_id, lambda s, b: svc.publish(s, b, current_user, _office_name()),
                   "已发布；正式文件已生成并存档，公众可在信息公开页面查看。")[0]


@bp.route("/bulletins/<int:bulletin_id>/correct", methods=["POST"])
@staff(BULLETINS_EDIT)
def correct(bulletin_id: int):
    response, new, errors = _action(bulletin_id, lambda s, b: svc.correct(s, b, current_user,
                                                                          request.form.get("note", "")),
                                    "已起草更正通报；原通报保持不变，更正发布后两者互相关联。")
    return redirect(url_for("bulletins.edit", bulletin_id=new.id)) if new is not None else response


@bp.route("/bulletins/<int:bulletin_id>/delete", methods=["POST"])
@staff(BULLETINS_EDIT)
def delete(bulletin_id: int):
    response, _, errors = _action(bulletin_id, lambda s, b: svc.delete_draft(s, b, current_user), "草稿已删除。")
    return response if errors else redirect(url_for("bulletins.index"))


@bp.route("/bulletins/<int:bulletin_id>/preview")
@staff(BULLETINS_VIEW)
def preview(bulletin_id: int):
    """The document as it stands, on its own page (a published one: as stored)."""
    b = _bulletin_or_404(bulletin_id)
    fragment = b.html if b.status == std.PUBLISHED else documents.render_fragment(
        svc.document(db.session(), b, _office_name()))
    return documents.wrap(fragment, b.title)


# Public pages (no login) ----------------------------------------------------------------------------------

@bp.route("/public/bulletins/")
def public_index():
    s = db.session()
    rows = svc.published(s)
    return render_template("bulletins/public_index.html", rows=rows, kinds=std.KIND_LABELS,
                           corrections=svc.corrections_of(s, [b.id for b in rows]),
                           titles={b.id: b.title for b in rows})


@bp.route("/public/bulletins/<int:bulletin_id>")
def public_view(bulletin_id: int):
    s = db.session()
    b = _published_or_404(bulletin_id)
    corrects = s.get(Bulletin, b.corrects_id) if b.corrects_id else None
    return render_template("bulletins/public_view.html", b=b, document=Markup(b.html), corrects=corrects,
                           corrections=svc.corrections_of(s, [b.id]).get(b.id, []))


@bp.route("/public/bulletins/<int:bulletin_id>.pdf")
def public_pdf(bulletin_id: int):
    """The published document: the stored bytes, never rendered again."""
    b = _published_or_404(bulletin_id)
    return pdf_response(b.pdf, f"{b.title}.pdf", b.pdf_sha256)


@bp.route("/public/bulletins/feed.atom")
def public_feed():
    from feedgen.feed import FeedGenerator

    rows = svc.published(db.session())[:50]
    fg = FeedGenerator()
    fg.id(url_for("bulletins.public_index", _external=True))
    fg.title(f"{_office_name()}·网络侵权信息举报处置情况通报")
    fg.author({"name": _office_name()})
    fg.link(href=url_for("bulletins.public_index", _external=True), rel="alternate")
    fg.link(href=url_for("bulletins.public_feed", _external=True), rel="self")
    fg.language("zh-CN")
    if rows:
        fg.updated(rows[0].published_at.replace(tzinfo=BEIJING))
    for b in reversed(rows):
        e = fg.add_entry()
        e.id(url_for("bulletins.public_view", bulletin_id=b.id, _external=True))
        e.title(b.title)
        e.link(href=url_for("bulletins.public_view", bulletin_id=b.id, _external=True), rel="alternate")
        e.link(href=url_for("bulletins.public_pdf", bulletin_id=b.id, _external=True), rel="enclosure",
               type="application/pdf", length=str(b.pdf_size or 0))
        e.published(b.published_at.replace(tzinfo=BEIJING))
        e.updated(b.published_at.replace(tzinfo=BEIJING))
        e.summary(std.plain_text(b.intro)[:300] or b.title)
    return Response(_entry_link_attributes(fg.atom_str(pretty=True), rows), mimetype="application/atom+xml")


def _entry_link_attributes(atom: bytes, rows: list[Bulletin]) -> bytes:
    """feedgen 1.0.0 writes an entry's links with ``href`` only (its loop variable shadows the link
    data), so readers could not tell the page from the PDF: give each link its rel and type."""
    from lxml import etree

    ns = "{http://www.w3.org/2005/Atom}"
    sizes = {url_for("bulletins.public_pdf", bulletin_id=b.id, _external=True): b.pdf_size or 0 for b in rows}
    root = etree.fromstring(atom)
    for link in root.iter(f"{ns}entry"):
        for el in link.findall(f"{ns}link"):
            href = el.get("href")
            if href in sizes:
                el.attrib.update({"rel": "enclosure", "type": "application/pdf", "length": str(sizes[href])})
            else:
                el.attrib.update({"rel": "alternate", "type": "text/html"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
