"""« Flouter une zone » of an expression's photo, from its staff page.

Faces found by the detector were blurred when the photo was received
(``participation.core.faces``); here a mediator blurs what it missed. The area comes as four
fields in percent of the photo, typed or filled by drawing a rectangle on the photo
(``static/js/blur-area.js``).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation.accounts.rules import mediateur_required

from ... import rules
from ...models import Expression
from .. import services
from ..forms import BlurAreaForm
from .expression import _render_staff, _staff_expression

# The section of the staff page that shows the photo and this form.
PHOTO = "photo"


@mediateur_required
@require_POST
def blur_area(request, pk):
    mine = rules.staff_expressions(request.user, Expression.objects.only("photo"))
    if not get_object_or_404(mine, pk=pk).photo:
        raise Http404
    form = BlurAreaForm(request.POST)
    if form.is_valid():
        try:
            services.blur_photo_area(pk, actor=request.user, area=form.area)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("La zone est floutée sur la photo et sa miniature, pour tout le monde."),
                extra_tags=PHOTO,
            )
            staff_page = reverse("consultations:moderation_expression", args=[pk])
            return redirect(f"{staff_page}#{PHOTO}")
    return _render_staff(request, _staff_expression(pk, request.user), blur_form=form, status=400)
