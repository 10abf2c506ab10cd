from django.conf import settings


def platform(request):
    user = getattr(request, "user", None)
    return {
        "EMBEDDED_MODE": settings.EMBEDDED,
        "is_staff_role": bool(user and user.is_authenticated and user.is_staff_role),
    }
