"""The template environment (autoescape on for everything) and the page-rendering helper."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from hullguard.console.web.session import Viewer

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _time(ms: int | None) -> str:
    if not ms:
        return ""
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _pretty_json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=True)
    except (ValueError, TypeError):
        return text


def int_param(text: str | None, default: int) -> int:
    """A whole number from the query string; anything else means the default, not an error page."""
    try:
        return int(text or default)
    except ValueError:
        return default


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in ("", None)}
    return "?" + urlencode(merged) if merged else "?"


# Autoescape is on for every template whatever its name: attack payloads reach these pages.
environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["time"] = _time
environment.filters["pretty_json"] = _pretty_json
environment.filters["minute"] = lambda ms: dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc).strftime(
    "%Y-%m-%dT%H:%M"
)  # what the event viewer's datetime-local filters read
environment.globals["query"] = _query


def render(request: Request, template: str, viewer: Viewer | None, status: int = 200, **context: Any) -> HTMLResponse:
    page = environment.get_template(template).render(
        request_path=request.url.path,
        viewer=viewer,
        csrf_token=viewer.csrf_token if viewer else "",
        flash=context.pop("flash", ""),
        error=context.pop("error", ""),
        **context,
    )
    return HTMLResponse(page, status_code=status)
