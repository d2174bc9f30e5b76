"""The signed-in learner's own pages. Nothing here takes a learner id: the learner is the one
linked to the account, so another learner's record cannot even be named."""

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from creditbank import learner_panels
from creditbank.pagination import count_version

from ..models import CreditEntry, Learner, TransferRequest
from ..services.ledger import learner_summary, learner_timeline
from .access import breakdowns, learner_of

TIMELINE_PAGE = 50
BODY_CACHE_SECONDS = 300


def _fingerprint(user) -> tuple[int | None, str]:
    """The account's learner id and, in the same query, what the page depends on: the learner
    row, the newest ledger entry (the ledger only grows, so a new entry means a new id) and the
    state of the transfer requests (asked, still open, last decided). Plain SQL: on a cached
    page this is the only query, and compiling it through the ORM cost more than running it."""
    learner, entry, request = (
        Learner._meta.db_table,
        CreditEntry._meta.db_table,
        TransferRequest._meta.db_table,
    )
    sql = (
        f"SELECT l.id, l.updated_at, l.home_institution_id, "  # noqa: S608 - table names only
        f"(SELECT max(e.id) FROM {entry} e WHERE e.learner_id = l.id), "
        f"(SELECT count(*) FROM {request} r WHERE r.learner_id = l.id), "
        f"(SELECT count(*) FROM {request} r WHERE r.learner_id = l.id AND r.status = %s), "
        f"(SELECT max(r.decided_at) FROM {request} r WHERE r.learner_id = l.id) "
        f"FROM {learner} l WHERE l.user_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [TransferRequest.Status.REQUESTED, user.pk])
        row = cursor.fetchone()
    if row is None:
        return None, ""
    return row[0], hashlib.sha256(repr(row).encode()).hexdigest()[:24]


@login_required
def my_credits(request):
    learner_id, fingerprint = _fingerprint(request.user)
    if learner_id is None:
        return render(request, "learners/not_linked.html")
    # The body is a learner's whole record: worth caching, and its key changes with every
    # ledger entry, transfer request change, learner edit, day (credits expire), language,
    # institution rename and query string.
    cache_key = "my-credits:{}:{}:{}:{}:{}:{}:{}".format(
        learner_id,
        fingerprint,
        get_language(),
        timezone.localdate().isoformat(),
        count_version("institutions"),
        learner_panels.version(),
        hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16],
    )
    body_html = cache.get(cache_key)
    context = {}
    if body_html is None:
        learner = learner_of(request.user)
        context["learner"] = learner
        summary = learner_summary(learner)
        page = Paginator(learner_timeline(learner), TIMELINE_PAGE).get_page(request.GET.get("page"))
        transfers = (
            TransferRequest.objects.filter(learner=learner)
            .select_related("target_institution", "target_curriculum")
            .order_by("-requested_at", "-pk")[:20]
        )
        context.update(
            summary=summary,
            breakdowns=breakdowns(summary),
            page=page,
            transfers=transfers,
            panels=learner_panels.render_all(learner, request),
        )
        body_html = render_to_string("learners/_my_credits_body.html", context, request=request)
        cache.set(cache_key, body_html, BODY_CACHE_SECONDS)
    context["body_html"] = mark_safe(body_html)  # rendered by our own template above  # noqa: S308
    return render(request, "learners/my_credits.html", context)
