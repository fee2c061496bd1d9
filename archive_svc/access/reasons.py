"""Why a decision came out as it did, in words a requester understands (French, English).

Data, like the rows: each reason code of the decision table has one French and one
English sentence. Pages and the CLI show these texts, never the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    text_fr: str
    text_en: str


_TEXTS: dict[str, tuple[str, str]] = {
    # Hard denials
    "foreign_authority": (
        "Aucune autorité étrangère n'a accès aux dossiers de demande d'asile, pas même "
        "pour « authentifier » un document. La demande est signalée au responsable des "
        "archives.",
        'No foreign authority may access asylum files, not even to "authenticate" a '
        "document. The request is reported to the head of the archives.",
    ),
    "not_available": (
        "Ce dossier n'est plus disponible : il a été détruit ou déclaré manquant.",
        "This file is no longer available: it was destroyed or declared missing.",
    ),
    "reader_banned": (
        "L'accès aux salles de lecture vous est interdit jusqu'à la fin de votre "
        "exclusion.",
        "You are barred from the reading rooms until your exclusion ends.",
    ),
    # Internal rows
    "need_to_know": (
        "Dossier de votre division ou qui vous est attribué : vous pouvez le consulter "
        "pour l'instruction.",
        "A file of your division or assigned to you: you may consult it for the "
        "examination.",
    ),
    "other_division": (
        "Ce dossier relève d'une autre division : le responsable des archives doit "
        "donner son accord.",
        "This file belongs to another division: the head of the archives must agree.",
    ),
    "litigation": (
        "La division des affaires juridiques peut consulter tout dossier pour un "
        "contentieux.",
        "The legal affairs division may consult any file for litigation.",
    ),
    "protection_granted": (
        "Une protection a été accordée : l'état civil peut consulter le dossier et ses "
        "enveloppes (l'ouverture d'une enveloppe scellée doit être motivée).",
        "Protection was granted: the civil-status officers may consult the file and its "
        "envelopes (opening a sealed envelope needs a reason).",
    ),
    "protection_not_granted": (
        "Aucune protection n'a été accordée pour ce dossier : le responsable des "
        "archives doit donner son accord.",
        "No protection was granted in this file: the head of the archives must agree.",
    ),
    "coi_linked": (
        "Recherche liée au dossier d'un officier de protection : consultation sur place, "
        "sans copie.",
        "Research linked to a protection officer's case: consultation only, no copies.",
    ),
    "coi_unlinked": (
        "La recherche n'est liée à aucun dossier d'officier de protection : le "
        "responsable des archives doit donner son accord.",
        "The research is not linked to a protection officer's case: the head of the "
        "archives must agree.",
    ),
    "own_division_filing": (
        "Dossier de votre division : vous pouvez le manipuler pour le classement, sans "
        "le lire.",
        "A file of your division: you may handle it for filing, without reading it.",
    ),
    "other_division_filing": (
        "Un secrétariat ne classe que les dossiers de sa division.",
        "A secretariat files only the files of its own division.",
    ),
    "registration": (
        "Dossier en cours d'enregistrement : vous pouvez le traiter (tout scellement ou "
        "descellement est enregistré).",
        "A file being registered: you may process it (every seal and unseal is "
        "recorded).",
    ),
    "not_in_registration": (
        "Ce dossier n'est pas en cours d'enregistrement.",
        "This file is not being registered.",
    ),
    "archival_handling": (
        "Traitement archivistique : déplacer, scanner, conditionner, sans lire le "
        "dossier.",
        "Archival processing: move, scan and box the file, without reading it.",
    ),
    "history_mission": (
        "La mission d'histoire peut traiter tout dossier ; les instruments de recherche "
        "nominatifs restent internes.",
        "The history mission may process any file; nominal finding aids stay internal.",
    ),
    # External rows
    "court_appeal": (
        "Recours devant la CNDA : le dossier entier est transmis sans délai, les "
        "sources confidentielles étant remplacées par un résumé.",
        "Appeal before the CNDA: the whole file is sent without delay, confidential "
        "sources being replaced by a summary.",
    ),
    "court_not_under_appeal": (
        "Aucun recours n'est en cours pour ce dossier.",
        "No appeal is under way for this file.",
    ),
    "ta_audio": (
        "Recours en procédure frontière : le tribunal peut écouter l'enregistrement "
        "dans des locaux sécurisés, sans copie.",
        "Border-procedure appeal: the court may listen to the recording on secure "
        "premises, without copies.",
    ),
    "removal_documents": (
        "Documents d'état civil ou de voyage d'un demandeur définitivement débouté : "
        "le délégué du directeur général vérifie la nécessité et l'absence de danger "
        "pour la personne et ses proches.",
        "Civil-status or travel documents of a definitively rejected applicant: the "
        "Director General's delegate checks necessity and that no danger results for "
        "the person or relatives.",
    ),
    "removal_other": (
        "Pour un éloignement, seuls les documents d'état civil ou de voyage d'un "
        "demandeur définitivement débouté peuvent être communiqués.",
        "For a removal, only civil-status or travel documents of a definitively "
        "rejected applicant may be released.",
    ),
    "procedure_status_elsewhere": (
        "L'état de la procédure et la date de notification viennent du système de "
        "gestion des demandes, jamais du dossier.",
        "The procedure status and notification date come from the case system, never "
        "from the file.",
    ),
    "prosecutor_exclusion": (
        "Demande rejetée sur une clause d'exclusion : seul le directeur général peut "
        "décider de transmettre des informations au parquet.",
        "Application rejected on an exclusion clause: only the Director General may "
        "decide to pass information to the prosecutor.",
    ),
    "police_request": (
        "Les locaux et archives de l'office sont inviolables : la demande est soumise "
        "au délégué du directeur général et refusée tant qu'il n'a pas décidé.",
        "The office's premises and archives are inviolable: the request goes to the "
        "Director General's delegate and stays refused until decided.",
    ),
    "unhcr_request": (
        "Aucune règle ne prévoit l'accès du HCR aux dossiers : le délégué du directeur "
        "général décide.",
        "No rule provides for UNHCR access to files: the Director General's delegate "
        "decides.",
    ),
    "legal_consulted": (
        "La division des affaires juridiques est consultée.",
        "The legal affairs division is consulted.",
    ),
    "interior_custody_authorised": (
        "Dossier rejeté confié au ministère de l'Intérieur, personne autorisée par le "
        "directeur général : garde matérielle seulement.",
        "Rejected file in the Interior ministry's custody, person authorised by the "
        "Director General: physical custody only.",
    ),
    "interior_custody_not_authorised": (
        "Seules les personnes autorisées par le directeur général ont accès aux "
        "dossiers rejetés confiés au ministère de l'Intérieur.",
        "Only persons authorised by the Director General may access rejected files in "
        "the Interior ministry's custody.",
    ),
    "applicant_access": (
        "Accès du demandeur à son propre dossier : les sources confidentielles et les "
        "données privées de tiers sont retirées ; réponse sous un mois.",
        "The applicant's access to their own file: confidential sources and third "
        "parties' private data are withheld; answer within one month.",
    ),
    "audio_appeal": (
        "Après une décision négative, l'enregistrement peut être écouté pour un recours, "
        "dans des locaux sécurisés, sans copie.",
        "After a negative decision, the recording may be heard for an appeal, on secure "
        "premises, without copies.",
    ),
    "audio_restricted": (
        "L'enregistrement d'un entretien n'est accessible qu'à l'officier qui instruit, "
        "aux juridictions saisies d'un recours et au demandeur débouté pour son recours.",
        "An interview recording is open only to the examining officer, to the courts "
        "hearing an appeal and to a rejected applicant for their appeal.",
    ),
    "communicable": (
        "Dossier librement communicable : consultation sur place, sur rendez-vous, par "
        "l'intermédiaire de la mission d'histoire.",
        "The file is open to the public: consultation on site, by appointment, through "
        "the history mission.",
    ),
    "derogation": (
        "Dossier pas encore communicable, mais couvert par votre dérogation en cours : "
        "consultation dans les conditions de la dérogation.",
        "The file is not open yet but your current derogation covers it: consultation "
        "under the derogation's conditions.",
    ),
    "not_communicable": (
        "Dossier pas encore communicable (vie privée : 50 ans après le dernier "
        "document). Vous pouvez demander une dérogation auprès de la mission "
        "d'histoire.",
        "The file is not open yet (private life: 50 years after its latest document). "
        "You may ask the history mission for a derogation.",
    ),
    "portal_communicable": (
        "Dossier communicable : seule sa description est affichée.",
        "The file is open: only its description is shown.",
    ),
    "portal_hidden": (
        "Ce dossier n'est pas encore communicable : rien n'en est affiché.",
        "This file is not open yet: nothing about it is shown.",
    ),
    "siaf_control": (
        "Contrôle scientifique et technique : actes de contrôle, visas et dérogations, "
        "sans lecture des dossiers.",
        "Scientific and technical control: control acts, visas and derogations, "
        "without reading the files.",
    ),
    "destruction": (
        "Élimination visée par les Archives de France, prestataire tenu à la "
        "confidentialité : manipulation seulement.",
        "Elimination approved by the Archives of France, contractor bound by "
        "confidentiality: handling only.",
    ),
    "no_elimination_visa": (
        "Ce dossier ne figure sur aucun bordereau d'élimination visé.",
        "This file is on no approved elimination list.",
    ),
    # Default deny
    "no_rule": (
        "Aucune règle n'autorise cet accès : il est refusé.",
        "No rule allows this access: it is refused.",
    ),
    "unknown_role": (
        "Ce rôle n'est pas connu des règles d'accès.",
        "This role is unknown to the access rules.",
    ),
    "unknown_purpose": (
        "Ce motif de demande n'est pas connu des règles d'accès.",
        "This purpose is unknown to the access rules.",
    ),
    # Modifiers
    "sensitive": (
        "Dossier signalé sensible : le responsable des archives doit donner son accord.",
        "The file is flagged sensitive: the head of the archives must agree.",
    ),
    "confidential_sources": (
        "Le dossier contient des sources confidentielles : elles sont retirées.",
        "The file holds confidential sources: they are withheld.",
    ),
    "interior_custody": (
        "Dossier rejeté confié au ministère de l'Intérieur : le délégué du directeur "
        "général doit donner son accord.",
        "Rejected file in the Interior ministry's custody: the Director General's "
        "delegate must agree.",
    ),
    "authorisation_expired": (
        "Votre arrêté d'habilitation individuelle n'est pas valide à cette date.",
        "Your individual authorisation order is not valid at this date.",
    ),
    "no_confidentiality_agreement": (
        "Aucun engagement de confidentialité n'est enregistré pour ce prestataire.",
        "No confidentiality agreement is on file for this contractor.",
    ),
}

REASONS: Mapping[str, Reason] = {
    code: Reason(code, fr, en) for code, (fr, en) in _TEXTS.items()
}
"""Every reason the engine can give, by code."""
