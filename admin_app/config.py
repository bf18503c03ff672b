"""Settings, read from the environment so one build runs anywhere."""

from __future__ import annotations

import os
from typing import Any

DEV_SECRET_KEY = "dev-only-不要在生产环境使用"


def from_env(instance_path: str) -> dict[str, Any]:
    default_db = "sqlite:///" + os.path.join(instance_path, "kefu.db")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "WTF_CSRF_TIME_LIMIT": None,  # a clerk may keep a form open all shift
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "FLASK_ADMIN_SWATCH": "cerulean",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    }
