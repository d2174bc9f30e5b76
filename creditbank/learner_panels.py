"""Sections that higher apps add to the learner's own record page ("My credits").

``learners`` may not import ``skills`` (dependencies point one way), yet the learner's page must
show their certificates. A higher app registers a panel here from its ``AppConfig.ready``; the
learners page renders every registered panel inside its cached body. A panel names the count
version its data bumps (``creditbank.pagination.bump_count_version``), which is part of the
page's cache key, so a new or revoked certificate shows at the next request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

from .pagination import count_version


@dataclass(frozen=True)
class LearnerPanel:
    key: str
    template: str
    context: Callable[[object], dict]  # learner → template context
    version_namespace: str


_panels: dict[str, LearnerPanel] = {}


def register(panel: LearnerPanel) -> None:
    _panels[panel.key] = panel


def version() -> str:
    return ".".join(
        f"{key}{count_version(p.version_namespace)}" for key, p in sorted(_panels.items())
    )


def render_all(learner, request=None) -> list[str]:
    return [
        render_to_string(panel.template, panel.context(learner), request=request)
        for _key, panel in sorted(_panels.items())
    ]
