"""JSON API of the field mode, for mediators: the session check and the sync (terrain.sync)."""

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from participation.api.permissions import IsMediateur

from . import sync


class FieldSessionSerializer(serializers.Serializer):
    utilisateur = serializers.IntegerField(help_text="Numéro du compte connecté.")
    nom = serializers.CharField(help_text="Nom affiché du compte.")
    peut_synchroniser = serializers.BooleanField()
    quartiers = serializers.ListField(
        child=serializers.SlugField(),
        allow_null=True,
        help_text="Slugs des quartiers des communes du compte, les seuls acceptés ; null : "
        "tous les quartiers.",
    )


class FieldSessionView(APIView):
    """Whether this session may still sync: the field mode asks before sending."""

    permission_classes = [IsMediateur]

    @extend_schema(
        summary="Mode terrain : la session peut-elle synchroniser ?",
        description="Le mode terrain le demande avant d'envoyer : 403 « non_authentifie » "
        "veut dire que la session a expiré et qu'il faut se reconnecter.",
        responses={
            200: FieldSessionSerializer,
            403: OpenApiResponse(
                description="Session expirée (non_authentifie) ou rôle insuffisant (interdit)."
            ),
        },
    )
    def get(self, request):
        user = request.user
        return Response(
            {
                "utilisateur": user.pk,
                "nom": user.display_name or "",
                "peut_synchroniser": True,
                "quartiers": sync.quartiers_offered(user),
            }
        )


class FieldSyncView(APIView):
    """Mode terrain: a batch of entries typed on the device, each stored once.

    Every entry gets its own result, in the order sent: ``envoyee`` (stored, or already
    received with this ``uuid``), ``refusee`` with its ``raison`` and the messages of each
    field (the entry stays on the device for correction), or ``reessayer`` (send it again
    later, unchanged). Good entries are stored even when others are refused.
    """

    permission_classes = [IsMediateur]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Mode terrain : envoyer les saisies faites sur l'appareil",
        description=(
            "Réservé aux médiateur·rices. Chaque entrée porte un `uuid` fait sur l'appareil : "
            "renvoyer la même entrée (même lot renvoyé, connexion coupée) ne crée jamais de "
            "doublon. Chaque entrée reçoit son résultat, dans l'ordre d'envoi : `envoyee` "
            "(enregistrée, ou déjà reçue), `refusee` avec sa `raison` et les messages de chaque "
            "champ (l'entrée reste sur l'appareil pour être corrigée), ou `reessayer` (plus "
            "tard, telle quelle). Les bonnes entrées sont enregistrées même si d'autres sont "
            "refusées. Une entrée pour un quartier hors des communes du compte est refusée. "
            "Le type de rencontre et le quartier laissés vides sont ceux de "
            "l'événement (son quartier s'il n'en concerne qu'un). `said_at` dit quand l'entrée "
            "a été saisie sur l'appareil, avec son décalage horaire ; sans lui, elle est datée "
            "de sa réception. La photo est envoyée en base64 ; elle est ré-encodée sans "
            "métadonnées. 50 entrées au plus par envoi."
        ),
        request=sync.SyncRequestSerializer,
        examples=[
            OpenApiExample(
                "Une parole recueillie sur un stand",
                value={
                    "entrees": [
                        {
                            "uuid": "5b0e7c1e-8f43-4d7e-9a55-0c6f6f3b2a10",
                            "quartier": "rimbart",
                            "source": "stand",
                            "text": "Il manque un banc à l'arrêt de bus de la rue Jean-Jaurès.",
                        }
                    ]
                },
                request_only=True,
            )
        ],
        responses={
            200: sync.SyncResponseSerializer,
            403: OpenApiResponse(
                description="Session expirée (non_authentifie), jeton CSRF absent (csrf) ou "
                "compte qui n'est pas médiateur·rice (interdit)."
            ),
        },
    )
    def post(self, request):
        entries = request.data.get("entrees") if isinstance(request.data, dict) else None
        if not isinstance(entries, list):
            raise exceptions.ValidationError(
                {"entrees": [_("Envoyez les saisies dans une liste « entrees ».")]}
            )
        if len(entries) > sync.MAX_ENTRIES:
            raise exceptions.ValidationError(
                {
                    "entrees": [
                        _("Envoyez au plus %(count)s saisies à la fois.")
                        % {"count": sync.MAX_ENTRIES}
                    ]
                }
            )
        results = sync.synchronise(mediator=request.user, entries=entries)
        count = dict.fromkeys(sync.STATES, 0)
        for result in results:
            count[result.etat] += 1
        return Response(
            {
                "resultats": [result.as_dict() for result in results],
                "envoyees": count[sync.SENT],
                "refusees": count[sync.REFUSED],
                "a_reessayer": count[sync.RETRY],
                "synchronise_le": timezone.now(),
            }
        )


urlpatterns = [
    path("terrain/session/", FieldSessionView.as_view(), name="terrain-session"),
    path("terrain/synchronisation/", FieldSyncView.as_view(), name="terrain-sync"),
]
