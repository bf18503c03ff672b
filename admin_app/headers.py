"""Security headers on every response, and the per-request nonce of the few inline scripts.

Scripts run only from this site or with this response's nonce (Flask-Admin puts it on its own inline
scripts); no inline event handlers, which is why a few Flask-Admin templates are overridden under
``templates/admin`` and ``static/kefu.js`` binds their clicks. Inline *styles* stay allowed: the
widgets set them and a style cannot run code.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, request
from werkzeug.wrappers import Response

CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000"


def csp_nonce() -> str:
    """This response's nonce (Flask-Admin's ``csp_nonce_generator``)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if not (request.endpoint or "").endswith("static"):  # pages and exports: shared front-desk PCs
            response.headers["Cache-Control"] = "no-store"
        if current_app.config.get("KEFU_HTTPS"):
            response.headers["Strict-Transport-Security"] = HSTS
        return response
