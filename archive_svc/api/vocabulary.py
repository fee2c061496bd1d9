"""Names people read for the codes machines exchange (French source, gettext).

Every vocabulary of the domain (states, movement kinds, item and location kinds,
virtual places, roles, divisions, journal actions and rules, refusal codes) has a
table here keyed by its code. Pages show ``label(kind, code)``; the code itself
stays in the JSON API and the logs. A test walks the pages and fails when a code
of these tables is shown as such.
"""

from collections.abc import Mapping

from archive_svc.access.principals import DIVISIONS, Role
from archive_svc.access.rules import Action
from archive_svc.api.i18n import N_, _
from archive_svc.domain.custody import MovementKind
from archive_svc.domain.model import ItemKind, LocationKind, State, Virtual

STATES: Mapping[str, str] = {
    State.INTAKE: N_("À l'entrée, en attente de rangement"),
    State.IN_STORAGE: N_("En magasin"),
    State.WITH_AGENT: N_("Sorti, chez un agent"),
    State.ON_LOAN: N_("Prêté"),
    State.IN_TRANSIT: N_("En transit"),
    State.DIGITISATION: N_("En numérisation"),
    State.HISTORY_MISSION: N_("À la mission d'histoire"),
    State.OUTSIDE: N_("Hors de l'office"),
    State.MISSING: N_("Manquant"),
    State.DESTROYED: N_("Détruit"),
}

MOVEMENTS: Mapping[str, str] = {
    MovementKind.ACCESSION: N_("Entrée (versement)"),
    MovementKind.SHELVE: N_("Rangement"),
    MovementKind.RELOCATE: N_("Changement de place"),
    MovementKind.PICK: N_("Sortie du magasin"),
    MovementKind.HAND_OVER: N_("Remise à une personne"),
    MovementKind.TRANSFER_BETWEEN_REQUESTERS: N_("Transmission entre demandeurs"),
    MovementKind.RETURN: N_("Retour aux archives"),
    MovementKind.IN_TRANSIT: N_("Mise en transit"),
    MovementKind.SEND_TO_DIGITISATION: N_("Envoi en numérisation"),
    MovementKind.SEND_TO_HISTORY_MISSION: N_("Envoi à la mission d'histoire"),
    MovementKind.SEND_OUTSIDE: N_("Envoi hors de l'office"),
    MovementKind.VERIFY: N_("Récolement"),
    MovementKind.DECLARE_MISSING: N_("Déclaration de manquant"),
    MovementKind.DESTROY: N_("Destruction"),
    MovementKind.SEAL_EVENT: N_("Scellés"),
    MovementKind.CORRECTION: N_("Rectification"),
}

MOVEMENT_HINTS: Mapping[str, str] = {
    MovementKind.VERIFY: N_("Constater qu'il est bien à sa place ; rien ne bouge."),
    MovementKind.RELOCATE: N_(
        "Le ranger ailleurs : sa nouvelle place devient la sienne."
    ),
    MovementKind.SHELVE: N_("Le remettre à sa place (ou sur la tablette indiquée)."),
    MovementKind.PICK: N_("Le sortir du magasin ; vous en avez la garde."),
    MovementKind.HAND_OVER: N_("Le remettre à une personne, nommée en destination."),
    MovementKind.RETURN: N_("Il revient aux archives ; à ranger ensuite."),
    MovementKind.IN_TRANSIT: N_(
        "Il part vers un autre site ; destination facultative."
    ),
    MovementKind.SEND_TO_DIGITISATION: N_("Il part à l'atelier de numérisation."),
    MovementKind.DECLARE_MISSING: N_("Introuvable : un motif est demandé."),
}

ITEM_KINDS: Mapping[str, str] = {
    ItemKind.BOX: N_("Boîte"),
    ItemKind.FILE: N_("Dossier"),
    ItemKind.ENVELOPE: N_("Enveloppe"),
}

LOCATION_KINDS: Mapping[str, str] = {
    LocationKind.SITE: N_("Site"),
    LocationKind.BUILDING: N_("Bâtiment"),
    LocationKind.STOREROOM: N_("Magasin"),
    LocationKind.RANGE: N_("Épi"),
    LocationKind.BAY: N_("Travée"),
    LocationKind.SHELF: N_("Tablette"),
    LocationKind.VIRTUAL: N_("Lieu de passage"),
}

VIRTUAL_PLACES: Mapping[str, str] = {
    Virtual.INTAKE: N_("Entrée des versements"),
    Virtual.TRANSIT: N_("Transit"),
    Virtual.DIGITISATION: N_("Atelier de numérisation"),
    Virtual.HISTORY_MISSION: N_("Mission d'histoire"),
    Virtual.MISSING: N_("Manquants"),
    Virtual.DESTROYED: N_("Détruits"),
}

ROLES: Mapping[str, str] = {
    Role.PROTECTION_OFFICER: N_("Officier de protection"),
    Role.LEGAL_CONSULTANT: N_("Juriste"),
    Role.CIVIL_REGISTRAR: N_("Officier d'état civil"),
    Role.RESEARCH_ASSISTANT: N_("Assistant de recherche"),
    Role.SECRETARY: N_("Secrétaire"),
    Role.DIGITISATION_SECRETARY: N_("Secrétaire de numérisation"),
    Role.ARCHIVE_AGENT: N_("Agent des archives"),
    Role.ARCHIVE_MANAGER: N_("Responsable des archives"),
    Role.HISTORY_MISSION_STAFF: N_("Membre de la mission d'histoire"),
    Role.DG_DELEGATE: N_("Délégué du directeur général"),
    Role.DPO_AUDITOR: N_("Délégué à la protection des données"),
    Role.RESEARCHER: N_("Chercheur"),
    Role.PUBLIC: N_("Public"),
    Role.CNDA: N_("Cour nationale du droit d'asile"),
    Role.ADMINISTRATIVE_COURT: N_("Tribunal administratif"),
    Role.PREFECTURE_AGENT: N_("Agent de préfecture"),
    Role.OFII: N_("Office français de l'immigration et de l'intégration"),
    Role.PUBLIC_PROSECUTOR: N_("Procureur de la République"),
    Role.POLICE: N_("Police"),
    Role.FOREIGN_AUTHORITY: N_("Autorité étrangère"),
    Role.UNHCR: N_("Haut Commissariat des Nations unies pour les réfugiés"),
    Role.INTERIOR_CUSTODY: N_("Garde du ministère de l'Intérieur"),
    Role.SIAF: N_("Service interministériel des Archives de France"),
    Role.DESTRUCTION_CONTRACTOR: N_("Prestataire de destruction"),
    Role.ADMINISTRATOR: N_("Administrateur"),
    Role.GATEWAY: N_("Poste de lecture (machine)"),
    Role.INTEGRATION: N_("Autre système de l'office (machine)"),
}

DIVISION_NAMES: Mapping[str, str] = {
    "africa": N_("Afrique"),
    "americas_maghreb": N_("Amériques-Maghreb"),
    "asia": N_("Asie"),
    "europe_middle_east": N_("Europe-Moyen-Orient"),
}
assert set(DIVISION_NAMES) == set(DIVISIONS)

ACTIONS: Mapping[str, str] = {
    Action.RECORD_MOVEMENTS: N_("Enregistrer des mouvements"),
    Action.READ_CUSTODY: N_("Consulter la garde"),
    Action.REGISTER_ITEMS: N_("Enregistrer des articles"),
    Action.REGISTER_LOCATIONS: N_("Enregistrer des lieux"),
    Action.USE_HOME: N_("Page d'accueil"),
    Action.USE_CONSOLE: N_("Console des agents"),
    Action.PRINT_LABELS: N_("Impression d'étiquettes"),
    Action.MANAGE_USERS: N_("Gestion des utilisateurs"),
    Action.READ_ACCESS_JOURNAL: N_("Lecture du journal des accès"),
    "sign_in": N_("Connexion"),
    "read_item": N_("Consultation d'un article"),
    "read_history": N_("Consultation d'un historique"),
    "create_person": N_("Création d'un utilisateur"),
    "grant_role": N_("Attribution d'un rôle"),
    "withdraw_role": N_("Retrait d'un rôle"),
}

RULES: Mapping[str, str] = {
    "role_allowed": N_("autorisé par son rôle"),
    "role_not_allowed": N_("son rôle ne le permet pas"),
    "unauthenticated": N_("non connecté"),
    "no_rule": N_("aucune règle (refus par défaut)"),
    "read": N_("lecture d'un dossier confidentiel"),
    "password_ok": N_("mot de passe correct"),
    "invalid": N_("identifiant ou mot de passe incorrect"),
    "throttled": N_("trop de tentatives"),
    "login": N_("connexion"),
    "Z": N_("refus par défaut"),
}

REFUSALS: Mapping[str, str] = {
    "domain_error": N_("Demande refusée."),
    "invalid_input": N_("Saisie invalide."),
    "invalid_barcode": N_("Ce code-barres n'est pas valide."),
    "malformed_barcode": N_("« %(value)s » n'est pas un code-barres de ces archives."),
    "bad_check_character": N_(
        "%(value)s : caractère de contrôle faux (code mal lu ou mal tapé) ; scannez à nouveau."
    ),
    "invalid_id": N_("Identifiant invalide."),
    "actor_required": N_("Il faut indiquer qui fait le mouvement."),
    "unknown_kind": N_("Ce mouvement n'existe pas."),
    "invalid_timestamp": N_("Date invalide."),
    "future_timestamp": N_("La date est dans le futur."),
    "batch_too_large": N_("Trop de mouvements à la fois."),
    "reason_required": N_("Ce mouvement demande un motif."),
    "not_found": N_("Introuvable."),
    "unknown_barcode": N_("« %(value)s » : aucun article ni lieu n'a ce code-barres."),
    "unknown_target": N_(
        "« %(value)s » n'est ni un lieu, ni une boîte, ni une personne connue."
    ),
    "unknown_principal": N_("Cette personne est inconnue."),
    "conflict": N_("Conflit avec une donnée existante."),
    "id_conflict": N_("Cet identifiant est déjà utilisé pour autre chose."),
    "already_exists": N_("Cela existe déjà."),
    "movement_refused": N_("Mouvement refusé."),
    "illegal_transition": N_(
        "Ce mouvement n'est pas possible dans l'état actuel de l'article."
    ),
    "loan_open": N_("Un prêt est en cours : il faut d'abord le clore."),
    "terminal_state": N_("Cet article est détruit ou manquant : il ne bouge plus."),
    "wrong_kind": N_("Ce type d'article ne peut pas aller là."),
    "capacity_exceeded": N_("Plus assez de place à cet endroit."),
    "location_neutralised": N_("Ce lieu est neutralisé : on n'y range plus rien."),
    "location_mismatch": N_("L'article est enregistré ailleurs : écart signalé."),
    "same_custodian": N_("Il y est déjà."),
    "out_of_order": N_("Mouvement plus ancien que le dernier connu."),
    "role_required": N_("Votre rôle ne permet pas ce mouvement."),
    "access_denied": N_("Accès refusé."),
    "not_a_holder": N_(
        "Cette personne ne peut pas recevoir la garde de dossiers (autorité étrangère, lecteur, organisme extérieur…)."
    ),
    "actor_not_caller": N_(
        "Un mouvement est toujours enregistré au nom de la personne connectée."
    ),
    "invalid_selection": N_("Cette sélection ne peut pas être imprimée."),
    "invalid_selection:missing_ref": N_(
        "Indiquez le lieu ou la boîte (code-barres ou cote)."
    ),
    "invalid_selection:missing_first": N_("Indiquez la première tablette."),
    "invalid_selection:missing_last": N_("Indiquez la dernière tablette."),
    "invalid_selection:missing_since": N_("Indiquez le premier jour."),
    "invalid_selection:unknown_selection": N_("Cette sélection n'existe pas."),
    "label_error:layout": N_("La planche « %(value)s » n'existe pas."),
    "label_error:start": N_(
        "La première étiquette libre doit être un nombre de 1 à %(value)s."
    ),
    "wrong_kind:label_kind": N_("%(value)s n'est pas du type d'étiquettes choisi."),
    "invalid_selection:unknown_kind": N_("Ce type d'étiquette n'existe pas."),
    "invalid_selection:empty": N_("Cette sélection est vide : rien à imprimer."),
    "invalid_selection:too_many": N_(
        "Plus de %(value)s étiquettes : réduisez la sélection."
    ),
    "invalid_selection:bad_query": N_("Sélection incomplète."),
    "invalid_selection:not_a_shelf": N_("%(value)s n'est pas une tablette."),
    "invalid_selection:different_sites": N_(
        "Les deux tablettes ne sont pas sur le même site."
    ),
    "invalid_selection:bad_day": N_("« %(value)s » n'est pas une date."),
    "invalid_selection:day_range": N_("Les jours vont de %(value)s."),
    "invalid_selection:span_reversed": N_("La période finit avant de commencer."),
    "invalid_selection:start": N_(
        "La première étiquette libre doit être un nombre entre 1 et le nombre d'étiquettes de la planche."
    ),
    "invalid_input:password": N_("Un mot de passe a de 12 à 256 caractères."),
    "invalid_input:id": N_(
        "Un identifiant a de 2 à 63 caractères : lettres minuscules, chiffres, « . », « _ » ou « - »."
    ),
    "invalid_input:name": N_("Un nom a de 1 à 200 caractères."),
    "invalid_input:unit": N_("Une unité a au plus 64 caractères."),
    "invalid_input:roles": N_("Choisissez un rôle et, s'il y a lieu, une division."),
    "label_error": N_(
        "Ces étiquettes ne peuvent pas être imprimées sur cette planche."
    ),
}

SUGGESTIONS: Mapping[str, str] = {
    "location": N_("Lieu"),
    "box": N_("Boîte"),
    "person": N_("Personne"),
}

TABLES: Mapping[str, Mapping[str, str]] = {
    "state": STATES,
    "movement": MOVEMENTS,
    "item_kind": ITEM_KINDS,
    "location_kind": LOCATION_KINDS,
    "virtual": VIRTUAL_PLACES,
    "role": ROLES,
    "division": DIVISION_NAMES,
    "action": ACTIONS,
    "rule": RULES,
    "refusal": REFUSALS,
    "suggestion_kind": SUGGESTIONS,
}


def label(table: str, code: str | None) -> str:
    """The name of ``code`` in the page's language; an unknown code stays as given."""
    if not code:
        return ""
    source = TABLES[table].get(str(code))
    return _(source) if source is not None else str(code)


def refusal(code: str, value: str = "") -> str:
    """A refusal as a sentence; ``value`` names the barcode or place it is about."""
    source = REFUSALS.get(code, REFUSALS["domain_error"])
    text = _(source)
    return text % {"value": value} if "%(value)s" in source else text


def explain(exc: Exception) -> str:
    """A refusal as a sentence, from the error's code and details (never its
    English message, which stays for the API and the logs)."""
    code = str(getattr(exc, "code", "label_error"))
    details = getattr(exc, "details", None)
    details = details if isinstance(details, dict) else {}
    reason = details.get("reason") or details.get("field") if details else None
    value = details.get("value", "")
    key = f"{code}:{reason}" if reason and f"{code}:{reason}" in REFUSALS else code
    return refusal(key, str(value))


def scan_refusal(code: str, message: str, value: str = "") -> str:
    """Why a station's read was refused: our sentence for a known refusal code,
    else what the station itself was told."""
    return refusal(code, value) if code in REFUSALS else message


def rule(rule_code: str, reason: str) -> str:
    """A journal row's rule and reason as a short phrase (``route:x`` names x)."""
    if reason in ROLES:  # a role granted or withdrawn
        return label("role", reason)
    if reason.startswith("roles="):  # a person created with these roles
        return ", ".join(label("role", r) for r in reason[6:].split(",") if r)
    if reason in RULES:
        return _(RULES[reason])
    if rule_code in RULES:
        return _(RULES[rule_code])
    return ""


def place(code: str) -> str:
    """A location code, with virtual places named (``INTAKE`` reads "Entrée …")."""
    return label("virtual", code) if code in VIRTUAL_PLACES else code
