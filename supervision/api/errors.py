from __future__ import annotations

from flask import jsonify


def json_error(status: int, code: str, message: str, **extra):
    body = {"code": code, "message": message, **extra}
    return jsonify(body), status
