"""客服台账: the app factory. ``flask --app admin_app run`` finds :func:`create_app`."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, redirect, render_template, url_for
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import exc as sa_exc
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from admin_app.config import from_env, production_problems

csrf = CSRFProtect()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    # Imported here so that models may use small helpers of this package (clock, display)
    # without importing the whole application.
    import models  # noqa: F401  (maps every register)
    from admin_app import auth, cli, database, headers
    from admin_app.numbering import check_prefixes
    from admin_app.scope import check_scopes
    from views import build_admin

    check_prefixes()  # every register numbers its records with a prefix of its own
    check_scopes()  # every row scope's link path leads to a department or building

    app = Flask(__name__, instance_path=os.environ.get("KEFU_INSTANCE") or None)
    app.config.update(from_env(app.instance_path))
    app.config.update(config or {})
    problems = production_problems(app.config, app.debug)
    if problems:
        raise RuntimeError("生产环境拒绝启动:\n" + "\n".join(f"- {p}" for p in problems))
    if app.config["KEFU_PROXIES"]:  # trust X-Forwarded-* only from that many proxies in front
        n = app.config["KEFU_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    os.makedirs(app.instance_path, exist_ok=True)

    session = database.init_app(app)
    csrf.init_app(app)
    headers.init_app(app)
    Babel(app, locale_selector=lambda: app.config["BABEL_DEFAULT_LOCALE"])
    auth.login_manager.init_app(app)
    app.register_blueprint(auth.bp)

    app.extensions["kefu_admin"] = build_admin(app, session)
    cli.init_app(app)
    _error_pages(app)

    @app.route("/")
    def root() -> Response:
        return redirect(url_for("admin.index"))

    @app.route("/favicon.ico")
    def favicon() -> Response:  # browsers ask for it even where the page links the SVG
        return app.send_static_file("favicon.svg")

    return app


def _error_pages(app: Flask) -> None:
    messages = {
        400: ("请求有误", "提交的内容无法处理,请返回重试。"),
        403: ("没有权限", "您的角色没有执行此操作的权限。如需开通,请联系 IT 管理员。"),
        404: ("页面不存在", "您要找的页面或记录不存在,可能已被删除。"),
        405: ("请求方式不正确", "请从页面上的按钮操作。"),
        413: ("上传的文件过大", "请上传不超过 16 MB 的文件。"),
        500: ("系统出错", "服务器处理时出错,已记录日志。您填写的内容没有保存,请返回重试。"),
        503: ("数据库暂时无法使用", "数据库连接中断或正在重启,这次操作没有完成,也没有保存任何内容。"
                                    "请稍候片刻,返回上一页重新提交。"),
    }

    def render(exc: Exception, code: int) -> tuple[str, int]:
        title, text = messages[code]
        described = getattr(exc, "description", None)
        if described and described != getattr(type(exc), "description", None):
            text = described  # our own Chinese reason, e.g. a record locked by its approval
        return render_template("error.html", code=code, title=title, text=text), code

    for code in messages:
        app.register_error_handler(code, lambda exc, code=code: render(exc, code))

    @app.errorhandler(sa_exc.DBAPIError)
    def _database(exc: sa_exc.DBAPIError) -> tuple[str, int]:
        # The server went away (a restart, the network): this request is lost, the next one reconnects
        # (pool_pre_ping). Never show the SQL of the message.
        app.logger.error("database error", exc_info=exc)
        gone = exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)
        code = 503 if gone else 500
        title, text = messages[code]
        # Straight from Jinja: the context processors (current_user) would ask the database again.
        page = app.jinja_env.get_template("error.html").render(code=code, title=title, text=text)
        return page, code

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError) -> tuple[str, int]:
        text = "表单的安全校验未通过(页面停留过久或在别处已退出)。请刷新页面后重新提交。"
        return render_template("error.html", code=400, title="页面已过期", text=text), 400
