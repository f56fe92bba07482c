"""Who a guardian is to the student, in the user's language.

The relation is stored as a code when it is one of the usual ones (the demo, the parent
endpoint) and as the school's own words otherwise (an imported file may say "mẹ kế"); the
latter is shown as it is.
"""

from __future__ import annotations

from desktop.i18n import N_, _

_RELATION_LABELS = {
    "father": N_("father"),
    "mother": N_("mother"),
    "grandfather": N_("grandfather"),
    "grandmother": N_("grandmother"),
    "aunt": N_("aunt"),
    "uncle": N_("uncle"),
    "sibling": N_("older sibling"),
    "guardian": N_("guardian"),
}

RELATION_CODES = frozenset(_RELATION_LABELS)


def relation_label(relation: str) -> str:
    known = _RELATION_LABELS.get(relation)
    return _(known) if known else relation
