from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache

from institutions.models import Membership
from institutions.scoping import scope_for

Role = Membership.Role


def home(request):
    """Landing page: the public see what they can do signed out; staff see their tasks."""
    scope = scope_for(request.user)
    roles = scope.roles
    return render(
        request,
        "home.html",
        {
            "scope": scope,
            "roles": roles,
            "memberships": (
                Membership.objects.filter(user=request.user)
                .select_related("institution")
                .order_by("institution__name_th")
                if request.user.is_authenticated
                else []
            ),
            "is_centre": scope.is_national or Role.CENTRE_STAFF in roles,
        },
    )


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says."""
    return HttpResponseRedirect(static("img/favicon.svg"))


def lockout(request, original_response=None, credentials=None):
    """Shown when a (username, address) pair has failed too often: say when to try again."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    retry_at = timezone.localtime(timezone.now() + cool_off) if cool_off else None
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"retry_at": retry_at, "minutes": minutes},
        status=429,
    )
