"""``/api/``: the django-ninja API, with every answer (405 and unknown URLs included) in its error shape."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, re_path

from awn.channels.api.api import api, error, not_found_view


def _json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with a plain-text 405; keep the Allow header, use the error shape."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            wrapped = error(request, 405, "method_not_allowed", f"use {allowed}",
                            allowed=[m.strip() for m in allowed.split(",") if m.strip()])
            wrapped["Allow"] = allowed
            return wrapped
        return response

    return wrapper


def _wrapped(patterns: list[Any]) -> list[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_405(pattern.callback)
    return patterns


_patterns, _app_name, _namespace = api.urls  # not "app_name": include() would read it

urlpatterns: list[URLPattern | URLResolver] = [
    path("", (_wrapped(list(_patterns)), _app_name, _namespace)),
    re_path(r"^.*$", not_found_view),
]
