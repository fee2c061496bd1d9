"""Texts of scanner replies, rendered through the gettext catalogues of the pages.

The state machine answers a code and its arguments (``domain.scanning.Reply``);
this module is the one place that turns them into words. Message ids are the
French texts (French is the source language, as for the pages); the catalogues
are ``api/locale/<lang>/LC_MESSAGES/messages.mo``, compiled by
``python -m archive_svc.api.catalogues``, which extracts the ``N_()`` marks here.
Stations are answered in French: the agent reads the station's text.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from archive_svc.domain.scanning import Reply, Step
from archive_svc.domain.stations import Mode
from archive_svc.services.ports.scans import ScanTexts

LOCALE_DIR = Path(__file__).parent / "api" / "locale"


def N_(message: str) -> str:
    """Marks a message for extraction; translated when rendered."""
    return message


MESSAGES: Mapping[str, str] = {
    "mode_set": N_("%(mode)s : %(next)s"),
    "agent_set": N_("Bonjour %(who)s : %(next)s"),
    "location_selected": N_("Emplacement %(place)s : scannez les articles"),
    "reason_set": N_("Motif « %(reason)s » : scannez les articles à sortir"),
    "requester_set": N_("Demandeur %(who)s : scannez les articles à remettre"),
    "workflow_closed": N_("%(mode)s terminé"),
    "verify_summary": N_("Récolement terminé : %(verified)s vérifié(s), %(discrepancies)s écart(s)"),
    "selection_cancelled": N_("Sélection annulée : %(next)s"),
    "mode_cancelled": N_("Mode annulé : scannez une commande"),
    "nothing_to_cancel": N_("Rien à annuler"),
    "cancel_recorded": N_("Le dernier mouvement est déjà enregistré : demandez une correction à un responsable"),
    "no_agent": N_("Scannez d'abord votre badge agent"),
    "no_mode": N_("Aucun mode choisi : scannez une commande (Ranger, Sortir, Retour…)"),
    "unknown_barcode": N_("Code inconnu : %(code)s n'est enregistré nulle part ; vérifiez l'étiquette"),
    "malformed_barcode": N_("Code illisible ou étranger à l'archive : %(code)s ; rescannez"),
    "wrong_kind_for_mode": N_("%(code)s inattendu en mode %(mode)s : %(next)s"),
    "not_a_shelf": N_("%(code)s n'est pas une tablette : scannez une tablette"),
    "shelf_full": N_("Tablette %(code)s pleine (%(free)s mm libres) : choisissez-en une autre"),
    "shelf_closed": N_("Tablette %(code)s fermée aux dépôts : choisissez-en une autre"),
    "location_required": N_("Scannez d'abord l'emplacement"),
    "reason_required": N_("Sortie non planifiée : scannez d'abord un motif (RSN-…)"),
    "requester_required": N_("Scannez d'abord le badge du demandeur"),
    "badge_inactive": N_("Badge %(code)s désactivé : voyez un responsable"),
    "not_a_holder": N_("%(who)s ne peut pas recevoir la garde de dossiers : rien n'est remis"),
    "not_an_agent": N_("%(who)s n'est pas agent des archives : badge refusé"),
    "not_on_loan": N_("%(code)s n'est pas en prêt (%(state)s) : rien à retourner"),
    "not_with_agent": N_("%(code)s n'est pas entre vos mains (%(state)s) : sortez-le d'abord (mode Sortir)"),
    "not_in_storage": N_("%(code)s n'est pas en rayon (%(state)s)"),
    "on_loan": N_("%(code)s est en prêt : enregistrez d'abord son retour (mode Retour)"),
    "cannot_shelve": N_("%(code)s ne peut pas être rangé (%(state)s) : enregistrez d'abord son retour"),
    "already_there": N_("%(code)s est déjà sur %(place)s"),
    "no_verify_session": N_("Aucun récolement en cours"),
    "location_mismatch": N_("%(code)s est enregistré ailleurs : écart signalé, rien n'est déplacé"),
    "movement_refused": N_("Mouvement refusé (%(code)s) : %(detail)s"),
    "sequence_gap": N_("%(gap)s lecture(s) manquante(s) avant celle-ci : en attente"),
    "stale_seq": N_("Lecture rejouée (n° %(seq)s, déjà au n° %(last)s) : refusée"),
    "scan_too_old": N_("Lecture de plus de %(days)s jours : refusée, scannez à nouveau"),
}  # fmt: skip
"""Reply code -> message; ``recorded`` has one message per movement kind."""

RECORDED: Mapping[str, str] = {
    "accession": N_("Entrée : %(item)s"),
    "shelve": N_("Rangement : %(item)s"),
    "relocate": N_("Déplacement : %(item)s"),
    "verify": N_("Vérifié : %(item)s"),
    "pick": N_("Sortie : %(item)s"),
    "hand_over": N_("Remise : %(item)s"),
    "return": N_("Retour : %(item)s"),
    "send_to_digitisation": N_("Envoi en numérisation : %(item)s"),
    "send_to_history_mission": N_("Envoi à la mission histoire : %(item)s"),
}

MODES: Mapping[Mode, str] = {
    Mode.SHELVE: N_("Rangement"),
    Mode.PICK: N_("Sortie"),
    Mode.HANDOVER: N_("Remise"),
    Mode.RETURN: N_("Retour"),
    Mode.RELOCATE: N_("Déplacement"),
    Mode.DIGITISE: N_("Numérisation"),
    Mode.HISTORY: N_("Mission histoire"),
    Mode.VERIFY: N_("Récolement"),
    Mode.NONE: N_("Aucun mode"),
}

STEPS: Mapping[Step, str] = {
    Step.COMMAND: N_("scannez une commande"),
    Step.SHELF: N_("scannez la tablette"),
    Step.REASON: N_("scannez le motif (RSN-…)"),
    Step.REQUESTER: N_("scannez le badge du demandeur"),
    Step.RETURNED: N_("scannez les articles rendus"),
    Step.TARGET_SHELF: N_("scannez la tablette de destination"),
    Step.TO_SEND: N_("scannez les articles à envoyer"),
    Step.LOCATION: N_("scannez l'emplacement"),
    Step.ITEMS: N_("scannez les articles"),
}

NEVER_MOVED = N_("jamais entré")
"""The custody state shown for an item never accessioned."""


@cache
def _catalogue(locale: str) -> gettext.NullTranslations:
    return gettext.translation("messages", LOCALE_DIR, [locale], fallback=True)


def render(reply: Reply, locale: str = "fr") -> str:
    """The text of ``reply`` in ``locale`` (``fr`` or ``en``)."""
    _ = _catalogue(locale).gettext
    if reply.code == "recorded":
        template = RECORDED[str(reply.args["kind"])]
    else:
        template = MESSAGES[reply.code]
    return _(template) % {k: _argument(k, v, _) for k, v in reply.args.items()}


def _argument(name: str, value: object, _: Callable[[str], str]) -> object:
    if isinstance(value, Mode):
        return _(MODES[value])
    if isinstance(value, Step):
        return _(STEPS[value])
    if name == "state" and value is None:
        return _(NEVER_MOVED)
    return value


class StationTexts(ScanTexts):
    """Replies in the stations' language (French unless told otherwise)."""

    def __init__(self, locale: str = "fr") -> None:
        self.locale = locale

    def render(self, reply: Reply) -> str:
        return render(reply, self.locale)
