"""Application factory: wires configuration, database, security, blueprints and the CLI."""
from __future__ import annotations

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    from supervision import config

    try:
        if test_config is None:
            app.config.from_mapping(config.load(app.instance_path))
        else:
            env = {"APP_ENV": "testing", **{k: v for k, v in test_config.items() if isinstance(v, str)}}
            app.config.from_mapping(config.load(app.instance_path, env))
            app.config.update(test_config)
    except config.ConfigError as e:
        raise SystemExit(f"配置错误：{e}") from e

    from supervision import cli, db, security
    from supervision.web import register_blueprints

    db.init_app(app)
    security.init_app(app)
    register_blueprints(app)
    cli.init_app(app)
    return app
