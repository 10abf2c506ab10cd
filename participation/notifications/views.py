from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import links, services
from .models import Notification


@login_required
def index(request):
    notifications = Notification.objects.filter(user=request.user)[:100]
    return render(request, "notifications/index.html", {"notifications": notifications})


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(request.user)
    return redirect("notifications:index")


def follow_short_link(request, code):
    """The short link of an SMS: a redirect; the page it leads to checks who may see it."""
    return redirect(links.target(code))
