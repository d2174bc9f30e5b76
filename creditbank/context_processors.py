from django.conf import settings


def portal(request):
    return {"DEMO_ALLOWED": settings.DEMO_ALLOWED}
