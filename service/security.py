"""Security headers on every answer (Flask's and the fast path's, from the one list here) and the trusted proxy hops."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

# The pages load only this app's scripts, styles and JSON: no inline script, style, handler or style= attribute.
# Chart.js sizes its canvas through element.style (CSSOM), which style-src does not govern.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # the empty data: favicon, so that browsers ask for no /favicon.ico
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))  # fmt: skip
HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),  # frame-ancestors for browsers that predate it
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)


def headers() -> list[tuple[str, str]]:
    """The security headers as WSGI header pairs (the fast path adds them to its answers)."""
    return list(HEADERS)


def install(app: Flask) -> None:
    """Add the headers to every Flask response, and trust MEDIALAKE_PROXY_HOPS proxies' forwarded address and scheme."""
    app.after_request(add_headers)
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = behind_proxies(app.wsgi_app, hops)


def add_headers(response):
    """The security headers, unless the view set its own."""
    for name, value in HEADERS:
        response.headers.setdefault(name, value)
    return response


def behind_proxies(wsgi_app, hops: int) -> ProxyFix:
    """The client address (rate limits) and scheme as the last `hops` proxies saw them.

    X-Forwarded-Host is not trusted: the app builds no absolute URL from the host, and behind a proxy that does not
    set that header the client's own value would be taken."""
    return ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=0)
