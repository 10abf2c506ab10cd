from django.conf import settings

from . import easyread


def platform(request):
    user = getattr(request, "user", None)
    return {
        "EMBEDDED_MODE": settings.EMBEDDED,
        "SMS_ENABLED": settings.SMS_ENABLED,
        "is_staff_role": bool(user and user.is_authenticated and user.is_staff_role),
        "easy_read": easyread.is_on(request),
    }
