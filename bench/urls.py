from django.shortcuts import render
from django.urls import path

from creditbank.urls import urlpatterns as project_urlpatterns
from institutions.models import Institution


def baseline(request):
    """The yardstick: one indexed query and a small template, through the same middleware."""
    row = Institution.objects.filter(code="BENCH-NAT").values("code", "name_th").first()
    return render(request, "bench/baseline.html", {"row": row})


urlpatterns = [path("bench/baseline/", baseline), *project_urlpatterns]
