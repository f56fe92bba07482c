"""The detail pane's text: everything the teacher weighs, the flags in full (an overlap as a
link to the other request), and whether the decision waits to be sent or became a conflict."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from desktop.domain.leave import LeaveFlag
from desktop.i18n import _
from desktop.services import leave_text
from desktop.services.leave import LeaveRow

LINK_SCHEME = "request"
"""``request:107`` selects request #107."""


def details_html(
    row: LeaveRow,
    find: Callable[[int], LeaveRow | None],
    *,
    conflict: str | None,
    undo_key: str | None,
) -> str:
    """``find`` looks another request up (to name an overlap's period); ``conflict`` is the
    server's words on a decision it refused; ``undo_key`` is set while the decision can be
    undone."""
    flag_lines = []
    if row.special_case:
        flag_lines.append(escape(LeaveFlag.SPECIAL_CASE.label))
    if row.retroactive:
        flag_lines.append(escape(leave_text.retroactive_text(row)))
    for other_id in row.overlaps_with:
        other = find(other_id)
        text = escape(leave_text.overlap_text(other if other is not None else other_id))
        flag_lines.append(f"<a href='{LINK_SCHEME}:{other_id}'>{text}</a>")
    flags_label = _("Flags")
    lines = [
        (label, "<br>".join(flag_lines) if label == flags_label else escape(value))
        for label, value in leave_text.details(row)
    ]
    notes = []
    if conflict is not None:
        heading = escape(_("Your decision on this request became a conflict:"))
        notes.append(f"<p style='color:#b00020'><b>{heading}</b> {escape(conflict)}</p>")
    if undo_key is not None:
        text = _("The decision is not sent to the server yet; it can be undone ({key}).")
        notes.append(f"<p>{escape(text.format(key=undo_key))}</p>")
    cells = "".join(
        f"<tr><td><b>{escape(label)}</b></td><td>{value}</td></tr>"
        if label
        else f"<tr><td colspan='2'><i>{value}</i></td></tr>"
        for label, value in lines
    )
    return "".join(notes) + f"<table cellspacing='4'>{cells}</table>"
