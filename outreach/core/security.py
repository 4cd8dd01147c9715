"""Password hashing, safe redirects, security headers and the access-policy gate."""
from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import Flask, Response, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from outreach.core.permissions import PUBLIC, allowed_roles, may_access
import contextlib

_HASHERS: dict[str, PasswordHasher] = {
    "default": PasswordHasher(),
    # Only for the test suite: argon2's memory-hard defaults would make it crawl.
    "fast": PasswordHasher(time_cost=1, memory_cost=64, parallelism=1),
}


def _hasher() -> PasswordHasher:
    return _HASHERS[current_app.config.get("ARGON2_PROFILE", "default")]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check *password*; with no hash, spend the same effort and fail (no timing oracle)."""
    hasher = _hasher()
    if not password_hash:
        _burn(hasher, password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = id(hasher)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY[key]


def _burn(hasher: PasswordHasher, password: str) -> None:
    with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        hasher.verify(_dummy_hash(hasher), password)


def is_safe_next(target: str | None) -> bool:
    """Accept only a same-site relative path: "/meetings?x=1", never "//evil" or "https://evil"."""
    if not target or not isinstance(target, str):
        return False
    if any(ch in target for ch in ("\\", "\r", "\n", "\t")) or any(ord(ch) < 32 for ch in target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    return target if target is not None and is_safe_next(target) else default


def client_ip() -> str:
    """The client's address as the WSGI server saw it (behind a proxy, configure ProxyFix)."""
    return (request.remote_addr or "unknown")[:45]


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def enforce_access_policy() -> Any:
    """Refuse a request the access policy does not allow, before the view runs."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404/405 handlers answer
        return None
    rule = allowed_roles(endpoint)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if rule is None:
            abort(404)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not may_access(current_user, endpoint):
        abort(403)
    return None


def set_security_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce") or csp_nonce()
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _content_security_policy(nonce))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    # Read the user flask-login already loaded; never load it here (the database may be down).
    if getattr(g.get("_login_user"), "is_authenticated", False) and request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Vary", "Cookie")
    return response


def init_security(app: Flask) -> None:
    app.before_request(enforce_access_policy)
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
