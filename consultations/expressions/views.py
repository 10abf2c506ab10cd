"""Pages of the expression citoyenne. Thin: forms validate, services write, rules decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Window
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participation.accounts.rules import mediateur_required
from participation.core import easyread
from participation.core.fragments import render_fragment, render_rows
from participation.core.pagecache import cache_for_anonymous
from participation.core.pagination import CappedPaginator
from participation.core.ratelimit import RateLimited
from participation.core.redirects import safe_next
from participation.core.selects import shown_selects
from participation.territory.models import Objectif

from .. import rules
from ..models import Consultation, Expression, ExpressionStep, Source, Support, tally
from . import kept_photos, services
from .cards import expression_cards
from .filters import ExpressionFilter
from .forms import (
    ExpressionEditForm,
    ExpressionForm,
    FieldExpressionForm,
    SignalementForm,
)

PAGE_SIZE = 20


def _supported_ids(user, expressions) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Support.objects.filter(user=user, expression__in=[e.pk for e in expressions]).values_list(
            "expression_id", flat=True
        )
    )


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _known_count(filterset) -> int | None:
    """The public list's length when the counts kept per quartier tell it (no filter but
    the quartier and the order), without counting rows; None otherwise."""
    if not filterset.is_bound:
        return tally.published_total()
    if not filterset.is_valid():
        return None
    data = filterset.form.cleaned_data
    if any(data.get(name) for name in filterset.filters if name not in ("quartier", "ordre")):
        return None
    if data.get("quartier"):
        return tally.quartier_counts(data["quartier"]).published
    return tally.published_total()


# --- Reading ---------------------------------------------------------------------------


@cache_for_anonymous
@require_GET
def expression_list(request):
    base = Expression.objects.listed().for_cards().order_by("-published_at", "-pk")
    filterset = ExpressionFilter(request.GET or None, queryset=base)
    # Never a count of the whole table: the kept counts, or at most COUNT_CAP rows.
    page = CappedPaginator(filterset.qs, PAGE_SIZE, count=_known_count(filterset)).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    # The filters but the search (all selects), drawn from what they show (an edited quartier,
    # objective or consultation makes other options, so another drawing); impossible values
    # are drawn each time with their reasons, never kept.
    form = filterset.form
    filter_fields = render_fragment(
        "consultations/partials/expression_filter_fields.html",
        {"filter": filterset},
        material=None if form.errors else (shown_selects(form), form.is_bound),
    )
    return render(
        request,
        "consultations/expression_list.html",
        {
            "filter": filterset,
            "filter_fields": filter_fields,
            "page": page,
            "cards": expression_cards(page.object_list),
            "supported_ids": _supported_ids(request.user, page.object_list),
            "query_string": query.urlencode(),
            "filters_active": any(
                request.GET.get(name) for name in filterset.filters if name not in ("q", "ordre")
            ),
        },
    )


def _visible_or_404(request, pk) -> Expression:
    expression = get_object_or_404(
        Expression.objects.select_related(
            "quartier", "author", "consultation", "evenement", "recorded_by", "merged_into"
        ).prefetch_related(
            Prefetch("objectifs", queryset=Objectif.objects.select_related("enjeu")),
            Prefetch("steps", queryset=ExpressionStep.objects.order_by("created_at", "pk")),
        ),
        pk=pk,
    )
    if not rules.can_view(request.user, expression):
        # Private expressions do not exist for those who may not read them.
        raise Http404
    return expression


@cache_for_anonymous
@require_GET
def expression_detail(request, pk):
    expression = _visible_or_404(request, pk)
    full_path = rules.can_see_full_path(request.user, expression)
    steps = rules.readable_steps(request.user, expression, expression.steps.all())
    user = request.user
    return render(
        request,
        "consultations/expression_detail.html",
        {
            "expression": expression,
            "steps": steps,
            "full_path": full_path,
            "is_author": rules.is_author(user, expression),
            "can_edit": rules.can_edit(user, expression),
            "can_support": rules.can_support(user, expression),
            "can_report": rules.can_report(user, expression),
            "show_private_details": rules.can_see_private_details(user, expression),
            "supported": user.is_authenticated
            and Support.objects.filter(expression=expression, user=user).exists(),
        },
    )


@require_GET
def expression_photo(request, pk, size="photo"):
    """Photos are only ever sent here, to those who may read the expression."""
    expression = get_object_or_404(Expression.objects.select_related("quartier"), pk=pk)
    if not rules.can_view(request.user, expression) or not expression.photo:
        raise Http404
    # No thumbnail yet (its task is waiting for the broker): the cleaned photo will do.
    stored = (
        expression.thumbnail if size == "miniature" and expression.thumbnail else expression.photo
    )
    if not expression.is_readable_by_anyone:
        cache_control = "private, no-store"
    else:
        # Kept by browsers but checked at each use: once the expression is hidden or erased,
        # the check answers 404 and no cache, shared or not, shows the photo again.
        cache_control = "no-cache"
        etag = quote_etag(f"{expression.pk}-{size}-{expression.updated_at.timestamp()}")
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            not_modified["Cache-Control"] = cache_control
            return not_modified
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="expression-{expression.pk}.jpg"'
    response["Cache-Control"] = cache_control
    if expression.is_readable_by_anyone:
        response["ETag"] = etag
    return response


@login_required
@require_GET
def kept_photo(request, token):
    """The thumbnail of a photo kept for this session's form; for any other, 404."""
    photo = _kept_photos(request).get(token)
    if photo is None:
        raise Http404
    try:
        handle = photo.open_thumbnail()  # decoded and re-encoded here the first time
    except (FileNotFoundError, ValidationError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


# Far more pages than anyone writes; past her last page, Django's paginator picks it.
MAX_OWN_PAGES = 100_000


def _own_page(request, expressions):
    """Her expressions a page at a time, with their count in the same query (a window over
    her own rows): one query instead of a ``COUNT`` and then the page."""
    paginator = Paginator(expressions, PAGE_SIZE)
    try:
        # Bounded: a page number from a hostile query must not overflow the SQL offset.
        number = min(max(int(request.GET.get("page", 1)), 1), MAX_OWN_PAGES)
    except ValueError:
        number = 1
    bottom = (number - 1) * PAGE_SIZE
    rows = list(expressions.annotate(total=Window(Count("pk")))[bottom : bottom + PAGE_SIZE])
    if not rows:  # none yet, or past the last page: Django's paginator says which page
        return paginator.get_page(request.GET.get("page"))
    paginator.count = rows[0].total
    return paginator._get_page(rows, number, paginator)


@login_required
@require_GET
def my_expressions(request):
    expressions = Expression.objects.for_author_cards(request.user, news=False).order_by(
        "-created_at", "-pk"
    )
    page = _own_page(request, expressions)
    rows = render_rows(
        "consultations/partials/my_expression_card.html",
        page.object_list,
        name="expression",
        level=2,
    )
    return render(request, "consultations/my_expressions.html", {"page": page, "rows": rows})


# --- Posting ---------------------------------------------------------------------------


def _kept_photos(request) -> kept_photos.KeptPhotos:
    return kept_photos.KeptPhotos(request.session, request.user)


def _keep_photo(request, form, *, in_field: bool):
    """The photo a form that comes back shows, so that she does not choose it again.

    Returns ``(kept, choice, lost)``: the photo just sent (re-encoded and kept by the
    service), else the one kept before, unless she chose « Retirer »; the choice to show
    checked; whether a photo sent could not be kept (refused, or past the keeping limit).
    """
    kept = _kept_photos(request)
    previous = kept.get(request.POST.get("kept_photo"))
    choice = request.POST.get("photo_choice")
    if choice == kept_photos.REMOVE:
        if previous is not None:
            kept.forget(previous)
        return None, kept_photos.KEEP, False
    uploaded = request.FILES.get("photo")
    if uploaded and not (form.is_bound and form.has_error("photo")):
        try:
            photo = services.keep_photo(uploaded, actor=request.user, kept=kept, in_field=in_field)
        except ValidationError as error:
            if form.is_bound:
                form.add_error(None, error)  # the photo's field
        except RateLimited:
            pass
        else:
            if previous is not None and previous != photo:
                kept.forget(previous)
            return photo, kept_photos.KEEP, False
    if previous is not None and previous.exists():
        shown = choice if choice in (kept_photos.KEEP, kept_photos.REPLACE) else kept_photos.KEEP
        return previous, shown, False
    return None, kept_photos.KEEP, bool(uploaded)


def _drop_replaced_photo(request, used) -> None:
    """Once the expression is stored, a kept photo it did not take goes at once."""
    kept = _kept_photos(request)
    previous = kept.get(request.POST.get("kept_photo"))
    if previous is not None and previous != used:
        kept.forget(previous)


def _render_form(request, template, form, status=200, extra=None, *, in_field=False):
    if isinstance(form, ExpressionForm) and easyread.is_on(request):
        form.use_easy_read()
    kept, choice, lost = None, kept_photos.KEEP, False
    if request.method == "POST" and "photo" in form.fields:
        kept, choice, lost = _keep_photo(request, form, in_field=in_field)
    context = {
        "form": form,
        "kept_photo": kept,
        "kept_choice": choice,
        "photo_lost": lost,
        **(extra or {}),
    }
    return render(request, template, context, status=status)


def _refresh_form(form_class, request, **kwargs):
    """Show the form again for another quartier, without judging what was typed."""
    data = request.POST
    skipped = {"objectifs", "csrfmiddlewaretoken", "action", "kept_photo", "photo_choice"}
    form = form_class(initial={k: data.get(k) for k in data if k not in skipped}, **kwargs)
    form.initial["idempotency_key"] = data.get("idempotency_key") or form.initial.get(
        "idempotency_key"
    )
    for flag in ("objectifs_unknown", "contact_consent"):
        form.initial[flag] = flag in data
    return form


def _evenement_from_query(request):
    raw = request.GET.get("evenement", "")
    if not raw.isdigit():
        return None
    model = Expression._meta.get_field("evenement").related_model
    return model.objects.filter(pk=raw).first()


@login_required
@require_http_methods(["GET", "POST"])
def expression_create(request):
    user = request.user
    if not rules.can_submit(user):
        return render(request, "consultations/verify_email.html", status=403)
    template = "consultations/expression_form.html"
    evenement = _evenement_from_query(request)
    if request.method == "POST" and request.POST.get("action") == "refresh":
        form = _refresh_form(ExpressionForm, request, user=user)
        return _render_form(request, template, form)
    if request.method == "POST":
        form = ExpressionForm(
            request.POST, request.FILES, user=user, kept_photos=_kept_photos(request)
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                expression, created = services.submit(
                    author=user,
                    quartier=data["quartier"],
                    text=data["text"],
                    objectifs=data["objectifs"],
                    consultation=data["consultation"],
                    evenement=data["evenement"],
                    visibility=data["visibility"],
                    photo=data["photo"],
                    photo_description=data["photo_description"],
                    idempotency_key=data["idempotency_key"],
                )
            except RateLimited as limited:
                form.add_error(None, limited.message)
                return _render_form(request, template, form, status=429)
            except ValidationError as error:
                form.add_error(None, error)
                return _render_form(request, template, form)
            _drop_replaced_photo(request, data["photo"])
            if created:
                messages.success(
                    request,
                    _(
                        "Merci ! Votre message est bien reçu. Un·e médiateur·rice va le lire ; "
                        "vous suivez ici chaque étape."
                    ),
                )
            return redirect(expression)
        return _render_form(request, template, form)
    initial = {}
    slug = request.GET.get("consultation")
    if slug:
        consultation = Consultation.objects.open().filter(slug=slug).first()
        if consultation is not None:
            initial["consultation"] = consultation.pk
    quartier = request.GET.get("quartier")
    if quartier and quartier.isdigit():
        initial["quartier"] = int(quartier)
    form = ExpressionForm(user=user, initial=initial, evenement_initial=evenement)
    return _render_form(request, template, form)


@login_required
@require_http_methods(["GET", "POST"])
def expression_edit(request, pk):
    expression = _visible_or_404(request, pk)
    if not rules.can_edit(request.user, expression):
        raise PermissionDenied
    template = "consultations/expression_edit.html"
    extra = {"expression": expression}
    if request.method == "POST" and request.POST.get("action") == "refresh":
        form = _refresh_form(ExpressionEditForm, request, expression=expression)
        return _render_form(request, template, form, extra=extra)
    form = ExpressionEditForm(request.POST or None, expression=expression)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_by_author(
                expression,
                user=request.user,
                quartier=data["quartier"],
                text=data["text"],
                objectifs=data["objectifs"],
                visibility=data["visibility"],
            )
        except services.TransitionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Votre expression est modifiée."))
            return redirect(expression)
    return _render_form(request, template, form, extra=extra)


@mediateur_required
@require_http_methods(["GET", "POST"])
def field_create(request):
    template = "consultations/field_form.html"
    if request.method == "POST" and request.POST.get("action") == "refresh":
        form = _refresh_form(FieldExpressionForm, request, user=request.user)
        return _render_form(request, template, form, in_field=True)
    form = FieldExpressionForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        kept_photos=_kept_photos(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            expression, created = services.record_in_field(
                mediator=request.user,
                quartier=data["quartier"],
                text=data["text"],
                source=data["source"],
                objectifs=data["objectifs"],
                consultation=data["consultation"],
                evenement=data["evenement"],
                people_count=data["people_count"],
                age_group=data["age_group"],
                contact=data["contact"],
                contact_consent=data["contact_consent"],
                visibility=data["visibility"],
                photo=data["photo"],
                photo_description=data["photo_description"],
                idempotency_key=data["idempotency_key"],
            )
        except RateLimited as limited:
            form.add_error(None, limited.message)
            return _render_form(request, template, form, status=429, in_field=True)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _drop_replaced_photo(request, data["photo"])
            if created:
                messages.success(
                    request,
                    _("Enregistré (n° %(number)s). Vous pouvez saisir le message suivant.")
                    % {"number": expression.pk},
                )
            # The next message from the same stand: keep the event, the quartier and the type.
            query = urlencode(
                {
                    "evenement": data["evenement"].pk if data["evenement"] else "",
                    "source": data["source"],
                    "quartier": data["quartier"].pk,
                }
            )
            return redirect(f"{reverse('consultations:field_create')}?{query}")
    if request.method == "GET":
        initial = {
            key: request.GET[key]
            for key in ("evenement", "source", "quartier")
            if request.GET.get(key)
        }
        form = FieldExpressionForm(user=request.user, initial=initial)
    return _render_form(request, template, form, in_field=True)


# --- Supports and reports -------------------------------------------------------------


@login_required
@require_POST
def expression_support(request, pk):
    expression = _visible_or_404(request, pk)
    if request.POST.get("action") == "retirer":
        if services.remove_support(expression, user=request.user):
            messages.success(request, _("Votre « moi aussi » est retiré."))
    else:
        if services.add_support(expression, user=request.user):
            messages.success(request, _("Merci, votre « moi aussi » est compté."))
        else:
            messages.info(request, _("Vous aviez déjà dit « moi aussi » pour ce message."))
    return redirect(safe_next(request, expression.get_absolute_url()))


@login_required
@require_http_methods(["GET", "POST"])
def expression_report(request, pk):
    expression = _visible_or_404(request, pk)
    if not rules.can_report(request.user, expression):
        raise PermissionDenied
    form = SignalementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report(
            expression,
            reporter=request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
        messages.success(
            request,
            _("Merci. Un·e médiateur·rice va relire ce message et décider s'il reste publié."),
        )
        return redirect(expression)
    return render(
        request, "consultations/report_form.html", {"form": form, "expression": expression}
    )


# --- Consultations ---------------------------------------------------------------------


@cache_for_anonymous
@require_GET
def consultation_list(request):
    consultations = Consultation.objects.prefetch_related("quartiers").order_by(
        "-closes_on", "title"
    )
    groups = {"open": [], "upcoming": [], "closed": []}
    for consultation in consultations:
        if consultation.is_closed:
            groups["closed"].append(consultation)
        elif consultation.is_upcoming:
            groups["upcoming"].append(consultation)
        else:
            groups["open"].append(consultation)
    return render(
        request,
        "consultations/consultation_list.html",
        {**groups, "can_manage": rules.can_manage_consultations(request.user)},
    )


@cache_for_anonymous
@require_GET
def consultation_detail(request, slug):
    consultation = get_object_or_404(
        Consultation.objects.prefetch_related(
            "quartiers", Prefetch("objectifs", queryset=Objectif.objects.select_related("quartier"))
        ),
        slug=slug,
    )
    expressions = (
        Expression.objects.listed()
        .filter(consultation=consultation)
        .for_cards()
        .order_by("-published_at", "-pk")
    )
    page = _page(request, expressions)
    return render(
        request,
        "consultations/consultation_detail.html",
        {
            "consultation": consultation,
            "page": page,
            "cards": expression_cards(page.object_list),
            "supported_ids": _supported_ids(request.user, page.object_list),
            "field_count": Expression.objects.listed()
            .filter(consultation=consultation)
            .exclude(source=Source.EN_LIGNE)
            .count(),
            "can_manage": rules.can_manage_consultations(request.user),
        },
    )
