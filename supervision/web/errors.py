"""Chinese error pages (and JSON errors under /api)."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: ("请求无效", "提交的内容无法处理，请返回后重试。"),
    403: ("无权访问", "您的角色无权访问此页面。如需权限，请联系系统管理员。"),
    404: ("页面不存在", "您要找的页面或记录不存在，或您无权查看。"),
    405: ("请求方式不被允许", "此地址不接受该请求方式。"),
    409: ("操作冲突", "记录当前的状态不允许此操作，请刷新页面后再试。"),
    413: ("文件过大", "上传的文件超过了系统允许的大小。"),
    429: ("请求过于频繁", "操作过于频繁，请稍后再试。"),
    500: ("系统错误", "系统处理时出现错误，已记录。请稍后再试；如问题持续，请联系系统管理员。"),
}


def _render(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.path.startswith("/api/"):
        return jsonify({"code": f"http_{code}", "message": detail or message}), code
    return render_template("error.html", code=code, title=title, message=detail or message), code


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: _render(code, _limit_message(e, code)))

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _render(400, "页面已过期或表单校验失败（CSRF），请刷新页面后重新提交。")


def _limit_message(e, code: int) -> str | None:
    if code == 429:
        desc = getattr(e, "description", None)
        return desc if isinstance(desc, str) and not desc.isascii() else None
    return None
