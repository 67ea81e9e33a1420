"""Chinese error pages (and JSON errors under /api)."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("请求无效", "提交的内容无法处理，请返回后重试。"),
    403: ("无权访问", "您的角色无权访问此页面。如需权限，请联系系统管理员。"),
    404: ("页面不存在", "您要找的页面或记录不存在，或您无权查看。"),
    405: ("请求方式不被允许", "此地址不接受该请求方式。"),
    409: ("操作冲突", "记录当前的状态不允许此操作，请刷新页面后再试。"),
    413: ("文件过大", "上传的文件超过了系统允许的大小。"),
    429: ("请求过于频繁", "操作过于频繁，请稍后再试。"),
    500: ("系统错误", "系统处理时出现错误，已记录。请稍后再试；如问题持续，请联系系统管理员。"),
    503: ("系统暂时不可用", "数据库暂时不可用（连接中断或正在重启），本次操作未完成，未保存任何内容。请稍后刷新重试；如问题持续，请联系系统管理员。"),
    507: ("存储空间不足", "服务器存储空间不足，文件未能保存，本次提交未生效。请稍后重试；如问题持续，请联系系统管理员。"),
}


def _render(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.path.startswith("/api/"):
        return jsonify({"code": f"http_{code}", "message": detail or message}), code
    if code == 413:
        _forget_body()
    # 503: the database is unreachable, so the page must not need it (no navigation, no user).
    template = "error_plain.html" if code == 503 else "error.html"
    return render_template(template, code=code, title=title, message=detail or message), code


def _forget_body() -> None:
    """A too large body stays unread: the page's own forms (e.g. the log-out button's CSRF
    token) must see an empty form instead of raising 413 again while the error page renders."""
    from werkzeug.datastructures import ImmutableMultiDict

    request.form = ImmutableMultiDict()
    request.files = ImmutableMultiDict()


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        if code == 507:  # no werkzeug exception: rendered by the storage handler below
            continue
        app.register_error_handler(code, lambda e, code=code: _render(code, _limit_message(e, code)))

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _render(400, "页面已过期或表单校验失败（CSRF），请刷新页面后重新提交。")

    @app.errorhandler(DBAPIError)
    def database_unavailable(e: DBAPIError):
        """The database went away (restart, dropped connection): a clean Chinese 503 at once; the
        pool has dropped the broken connection and the next request connects again."""
        if not (e.connection_invalidated or isinstance(e, OperationalError)):
            raise e
        log.exception("database unavailable while serving %s", request.path)
        _discard_session()
        return _render(503)

    @app.errorhandler(OSError)
    def storage_full(e: OSError):
        """A disk full while writing an upload: the request's transaction is not committed."""
        from supervision.uploads import is_disk_full

        if not is_disk_full(e):
            raise e
        log.exception("disk full while serving %s", request.path)
        _discard_session()
        return _render(507)


def _discard_session() -> None:
    from flask import g

    s = g.pop("db_session", None)
    if s is not None:
        try:
            s.close()  # rolls back; the pool drops a connection found broken
        except Exception:  # noqa: BLE001 - the connection may already be gone
            log.warning("could not close the request's database session", exc_info=True)


def _limit_message(e, code: int) -> str | None:
    """Our own Chinese description of a 400 or 429 (werkzeug's defaults are English)."""
    if code in (400, 429):
        desc = getattr(e, "description", None)
        return desc if isinstance(desc, str) and not desc.isascii() else None
    return None
