"""Settings, read from the environment so one build runs anywhere.

Production is ``KEFU_ENV=production`` (or, with ``KEFU_ENV`` unset, running under gunicorn): there the
app refuses to start with a missing or development ``SECRET_KEY`` or in debug mode. ``make run`` and
the ``flask`` commands run as development out of the box.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import Any

DEV_SECRET_KEY = "dev-only-不要在生产环境使用"
#: A signed-in session lasts one working shift; so does "记住我".
SHIFT = dt.timedelta(hours=12)
MIN_SECRET_LENGTH = 32


def from_env(instance_path: str) -> dict[str, Any]:
    default_db = "sqlite:///" + os.path.join(instance_path, "kefu.db")
    https = os.environ.get("KEFU_HTTPS") == "1"  # served over HTTPS: cookies only travel encrypted
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        "KEFU_ENV": os.environ.get("KEFU_ENV", ""),
        "KEFU_HTTPS": https,
        "KEFU_PROXIES": int(os.environ.get("KEFU_PROXIES") or 0),  # reverse proxies in front, for ProxyFix
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "WTF_CSRF_TIME_LIMIT": None,  # a clerk may keep a form open all shift
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "PERMANENT_SESSION_LIFETIME": SHIFT,  # also the longest a signed session cookie is accepted
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_DURATION": SHIFT,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "FLASK_ADMIN_SWATCH": "cerulean",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    }


def is_production(config: dict[str, Any]) -> bool:
    env = config.get("KEFU_ENV") or ""
    if env:
        return env == "production"
    return "gunicorn.arbiter" in sys.modules  # a gunicorn deployment that forgot to say so


def production_problems(config: dict[str, Any], debug: bool) -> list[str]:
    """Why this configuration must not serve real users; empty outside production."""
    if not is_production(config):
        return []
    problems = []
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_LENGTH:
        problems.append(
            f"SECRET_KEY 未设置、仍是开发默认值或短于 {MIN_SECRET_LENGTH} 位。"
            "请把环境变量 SECRET_KEY 设为随机字符串"
            "(python3 -c 'import secrets; print(secrets.token_hex(32))' 可生成),"
            "所有进程与服务器用同一个值。")
    if debug:
        problems.append("生产环境不能以调试模式运行(调试页面可执行任意代码):去掉 --debug 与 FLASK_DEBUG=1。")
    return problems
