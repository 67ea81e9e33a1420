"""The OpenAPI 3 description of /api/v1 (served at /api/v1/openapi.json)."""
from __future__ import annotations

from supervision.services.ledger_import import PERIOD_RE

PERIOD_PATTERN = PERIOD_RE.pattern  # YYYY-MM with a month 01-12, exactly as the API checks it

_ERROR = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string", "description": "stable machine-readable code"},
                   "message": {"type": "string", "description": "Chinese message for people"}},
}
_ISSUE = {
    "type": "object",
    "required": ["row", "column", "value", "message"],
    "properties": {
        "row": {"type": ["integer", "null"], "description": "spreadsheet row number (header = 1)"},
        "column": {"type": "string", "description": "Chinese column header"},
        "value": {"type": ["string", "null"]},
        "message": {"type": "string"},
    },
}
_SUBMISSION = {
    "type": "object",
    "required": ["id", "period", "status", "rows", "created", "updated", "unchanged", "warnings", "errors"],
    "properties": {
        "id": {"type": "integer"}, "platform": {"type": "string"}, "period": {"type": "string", "pattern": PERIOD_PATTERN},
        "status": {"type": "string", "enum": ["accepted", "rejected"]}, "filename": {"type": "string"},
        "sha256": {"type": "string"}, "submitted_at": {"type": "string"}, "backdated": {"type": "boolean"},
        "rows": {"type": "integer"}, "created": {"type": "integer"}, "updated": {"type": "integer"},
        "unchanged": {"type": "integer"}, "warnings": {"type": "integer"}, "errors": {"type": "integer"},
        "url": {"type": "string"}, "duplicate": {"type": "boolean"},
        "check_error": {"type": ["string", "null"], "description": "why the automatic check could not run"},
        "warnings_detail": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}},
    },
}


def _json(schema_ref: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "网络侵权信息举报处置监督系统 平台接口", "version": "1.0.0",
             "description": "平台通过访问令牌报送工作台账、查询报送结果。令牌在平台门户创建，仅显示一次。"},
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": _ERROR, "Issue": _ISSUE, "Submission": _SUBMISSION,
            "Complaint": {
                "type": "object", "required": ["id", "tracking_no", "status"],
                "properties": {
                    "id": {"type": "integer"}, "tracking_no": {"type": "string"}, "status": {"type": "string"},
                    "complaint_type": {"type": "string"}, "report_number": {"type": "string"},
                    "report_date": {"type": "string", "format": "date"}, "filed_at": {"type": "string"},
                    "description": {"type": "string", "description": "电话、邮箱、身份证号已遮盖"},
                    "transferred_at": {"type": ["string", "null"]}, "request": {"type": "string"},
                    "response_due": {"type": ["string", "null"]}, "answered_at": {"type": ["string", "null"]},
                    "response": {"type": ["string", "null"]}},
            },
            "Rejected": {
                "type": "object", "required": ["code", "message", "errors"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "submission": {"$ref": "#/components/schemas/Submission"},
                               "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}}},
            },
        },
    },
    "paths": {
        "/api/v1/ledgers": {
            "post": {
                "summary": "报送一个月的工作台账（.xlsx 或 .csv）",
                "operationId": "postLedger",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file", "period"],
                    "properties": {"file": {"type": "string", "format": "binary"},
                                   "period": {"type": "string", "pattern": PERIOD_PATTERN}}}}}},
                "responses": {
                    "201": _json("Submission", "已接收"),
                    "200": _json("Submission", "与已接收的文件相同，未做更改"),
                    "400": _json("Error", "请求无效（缺少文件、报送月份格式错误、文件过大）"),
                    "401": _json("Error", "令牌缺失或无效"),
                    "422": _json("Rejected", "台账有错误，整体退回"),
                    "429": _json("Error", "请求过于频繁"),
                },
            }
        },
        "/api/v1/findings": {
            "get": {
                "summary": "本平台未关闭的自动检查问题",
                "operationId": "getFindings",
                "parameters": [{"name": "period", "in": "query", "required": False,
                                "schema": {"type": "string", "pattern": PERIOD_PATTERN}}],
                "responses": {"200": {"description": "问题清单", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["platform", "findings"],
                    "properties": {"platform": {"type": "string"}, "period": {"type": ["string", "null"]},
                                   "findings": {"type": "array", "items": {"type": "object", "properties": {
                                       "report_id": {"type": "string"}, "rule_code": {"type": "string"},
                                       "rule_name": {"type": "string"}, "severity": {"type": "string"},
                                       "period": {"type": "string"}, "reason": {"type": "string"}}}}}}}}},
                              "400": _json("Error", "period 格式错误"), "401": _json("Error", "令牌缺失或无效")},
            }
        },
        "/api/v1/complaints": {
            "get": {
                "summary": "转办本平台的网民投诉（不含投诉人身份信息，内容中的电话、邮箱、身份证号已遮盖）",
                "operationId": "getComplaints",
                "parameters": [{"name": "status", "in": "query", "required": False,
                                "schema": {"type": "string", "enum": ["待受理", "已受理", "不予受理", "已转办",
                                                                      "平台已答复", "已办结"]}}],
                "responses": {"200": {"description": "转办的投诉", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["platform", "complaints"],
                    "properties": {"platform": {"type": "string"}, "status": {"type": ["string", "null"]},
                                   "complaints": {"type": "array",
                                                  "items": {"$ref": "#/components/schemas/Complaint"}}}}}}},
                              "400": _json("Error", "status 取值无效"), "401": _json("Error", "令牌缺失或无效")},
            }
        },
        "/api/v1/complaints/{id}/response": {
            "post": {
                "summary": "答复一件转办的投诉（JSON {\"text\"}，或 multipart：text 与最多 5 个 files）",
                "operationId": "postComplaintResponse",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"type": "object", "required": ["text"],
                                                     "properties": {"text": {"type": "string", "maxLength": 5000}}}},
                    "multipart/form-data": {"schema": {"type": "object", "required": ["text"], "properties": {
                        "text": {"type": "string"},
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
                "responses": {"200": _json("Complaint", "已答复"), "400": _json("Error", "答复内容或附件无效"),
                              "401": _json("Error", "令牌缺失或无效"),
                              "404": _json("Error", "没有该转办投诉（或不属于本平台）"),
                              "409": _json("Error", "投诉当前状态不接受答复")},
            }
        },
        "/api/v1/ledgers/{id}": {
            "get": {
                "summary": "查询一次报送的状态和统计",
                "operationId": "getLedger",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": _json("Submission", "报送情况"), "401": _json("Error", "令牌缺失或无效"),
                              "404": _json("Error", "没有该报送（或不属于本平台）")},
            }
        },
    },
}
