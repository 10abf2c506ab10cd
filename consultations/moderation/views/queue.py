"""The live moderation queue: what waits, filtered, paginated, acted on in bulk.

Thin: forms validate, the moderation services write (role, lock, audit, notification,
broadcast), consultations.rules decides.
"""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from participation.accounts.rules import mediateur_required
from participation.core.fragments import CSRF_SLOT, render_fragment, render_rows, with_csrf
from participation.core.redirects import safe_next

from ... import changes, rules
from ...models import (
    Etiquette,
)
from .. import aiguillage, services
from .. import queue as reads
from ..filters import ModerationFilter
from ..forms import (
    BulkForm,
    fill_queue_choices,
)

ROW = "consultations/moderation/_row.html"
PAGE_SIZE = 25  # one screen of a laptop; the filters and the bulk actions do the rest
VIEWS = {
    "a-moderer": reads.queue,
    "a-transmettre": reads.to_route,
}


def _queue_queryset(view: str, user):
    """What a row of the queue shows (``moderation/_row.html``), and nothing more, of the
    expressions ``user`` works on (those of her communes)."""
    return (
        rules.staff_expressions(user, VIEWS[view]())
        .select_related("quartier", "consultation")
        .only(
            "status",
            "flagged_at",
            "source",
            "text",
            "photo",
            "created_at",
            "quartier__short_name",
            "consultation__title",
        )
        .prefetch_related(Prefetch("etiquettes", queryset=Etiquette.objects.only("name")))
    )


def _current_view(request) -> str:
    view = request.GET.get("vue", "a-moderer")
    return view if view in VIEWS else "a-moderer"


# --- The queue ---------------------------------------------------------------------------


@mediateur_required
@require_GET
def queue(request):
    return _render_queue(request)


def _render_queue(request, bulk_form=None, status=200):
    """The queue is the same for every mediator of the same communes: drawn once per state
    of the queue (its generation, renewed by every change), view, filters and page, role
    and communes; a bulk action sent back with its errors is drawn for its sender alone."""
    view = _current_view(request)
    material = None
    if bulk_form is None:
        material = (
            changes.QUEUE_PAGES.current(),
            view,
            sorted(request.GET.lists()),
            request.user.is_referent,
            changes.scope_key(request.user),
        )
    content = render_fragment(
        "consultations/moderation/_queue.html",
        lambda: _queue_context(request, view, bulk_form),
        material=material,
        request=request,
        seconds=changes.PAGE_SECONDS,
    )
    return render(
        request,
        "consultations/moderation/queue.html",
        {"content": with_csrf(content, request)},
        status=status,
    )


def _queue_context(request, view, bulk_form) -> dict:
    user = request.user
    filterset = ModerationFilter(
        request.GET or None, queryset=_queue_queryset(view, user), user=user
    )
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    if _counted_by_header(view, filterset):
        paginator.count = changes.queue_count_for(request)  # the header's, counted once
    number = request.GET.get("page")
    # « last »: where what arrives last goes (« Voir les nouveaux »), however many pages.
    page = paginator.get_page(paginator.num_pages if number == "last" else number)
    live_filters = filterset.active_values()
    query = request.GET.copy()
    query.pop("page", None)
    sent = bulk_form is not None
    checked = frozenset(bulk_form.data.getlist("ids")) if sent else frozenset()
    bulk_form = bulk_form or BulkForm(user=user)
    choices = fill_queue_choices(filterset.form, bulk_form, user)
    # Both forms are drawn from their choices and the values sent, and nothing else.
    filter_fields = render_fragment(
        "consultations/moderation/_filter_fields.html",
        {"filter": filterset},
        material=(choices, sorted(query.lists()), filterset.is_bound),
    )
    bulk_fields = render_fragment(
        "consultations/moderation/_bulk_fields.html",
        {"bulk_form": bulk_form},
        material=None if sent else choices,
    )
    return {
        "view": view,
        "filter": filterset,
        "filter_misread": filterset.is_bound and bool(filterset.errors),
        "page": page,
        "rows": render_rows(ROW, page.object_list, name="expression", checked=checked),
        "query_string": query.urlencode(),
        "bulk_form": bulk_form,
        "filter_fields": filter_fields,
        "bulk_fields": bulk_fields,
        "queue_count": changes.queue_count_for(request),
        "csrf_slot": CSRF_SLOT,
        # What the live arrivals need: the filters to match, where the new ones are shown.
        "live_filters": json.dumps(live_filters),
        "count_query": urlencode({"vue": view, **live_filters}),
        "arrivals_query": urlencode({"vue": "a-moderer", **live_filters, "page": "last"}),
    }


def _counted_by_header(view: str, filterset) -> bool:
    """Whether the view shows the whole queue, whose count every staff header shows."""
    return view == "a-moderer" and not filterset.is_active


@mediateur_required
@require_GET
def queue_row(request, pk):
    """One row of the queue, for the page's script, if it belongs to the filtered view."""
    view = _current_view(request)
    filterset = ModerationFilter(
        request.GET or None,
        queryset=_queue_queryset(view, request.user).filter(pk=pk),
        user=request.user,
    )
    expression = filterset.qs.first()
    if expression is None:
        return HttpResponse(status=204)
    (row,) = render_rows(ROW, [expression], name="expression", checked=frozenset())
    return HttpResponse(row)


@mediateur_required
@require_GET
def queue_counter(request):
    """The header's count; with ``vue`` (and filters), also the count of that filtered view,
    which the queue's page shows above its rows."""
    count = changes.queue_count_for(request)
    data = {"count": count}
    if "vue" in request.GET:
        view = _current_view(request)
        filterset = ModerationFilter(
            request.GET,
            queryset=rules.staff_expressions(request.user, VIEWS[view]()),
            user=request.user,
        )
        data["view"] = count if _counted_by_header(view, filterset) else filterset.qs.count()
    response = JsonResponse(data)
    response["Cache-Control"] = "no-store"
    return response


@mediateur_required
@require_POST
def bulk(request):
    form = BulkForm(request.POST, user=request.user)
    back = safe_next(request, reverse("consultations:moderation_queue"))
    if not form.is_valid():
        # The queue as it was, with the boxes still checked and the errors beside the form.
        request.GET = request.GET.copy()
        for key in ("vue", "quartier", "source", "consultation", "etiquette"):
            if request.POST.get(f"filtre_{key}"):
                request.GET[key] = request.POST[f"filtre_{key}"]
        return _render_queue(request, bulk_form=form, status=400)
    data = form.cleaned_data
    if data["action"] == "etiqueter":
        result = services.bulk_tag(data["ids"], actor=request.user, etiquette=data["etiquette"])
        if result.done:
            messages.success(
                request,
                _("Étiquette « %(name)s » ajoutée à %(count)s expression(s).")
                % {"name": data["etiquette"].name, "count": len(result.done)},
            )
    else:
        result = aiguillage.bulk_route(
            data["ids"], actor=request.user, instances=data["instances"], note=data["note"]
        )
        if result.done:
            messages.success(
                request,
                _("%(count)s expression(s) transmise(s).") % {"count": len(result.done)},
            )
    for pk, message in result.refused:
        messages.warning(
            request,
            _("Expression n° %(number)s : %(message)s") % {"number": pk, "message": message},
        )
    return redirect(back)
