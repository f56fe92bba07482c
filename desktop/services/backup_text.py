"""What a restore says to the teacher, before and after: the same words in the window and on
the command line."""

from __future__ import annotations

from desktop.i18n import _
from desktop.models.health import pending_by_kind
from desktop.services.backup import Preview, Restored


def describe(preview: Preview) -> str:
    lines = [
        _("Backup made on {date} at {time}, class {classes}.").format(
            date=f"{preview.created.astimezone():%d/%m/%Y}",
            time=f"{preview.created.astimezone():%H:%M}",
            classes=", ".join(preview.classes) or "—",
        ),
        _("The class's records in this profile are replaced by the backup's."),
    ]
    count = sum(preview.pending.values()) if preview.pending is not None else 0
    if preview.pending is None:
        lines.append(
            _("The changes not yet sent to the server could not be counted; they may be lost.")
        )
    elif count:
        kinds = "; ".join(
            f"{kind}: {number}" for kind, number in sorted(pending_by_kind(preview.pending).items())
        )
        lines.append(
            _(
                "The {count} changes not yet sent to the server ({kinds}) are kept and sent at "
                "the next sync."
            ).format(count=count, kinds=kinds)
        )
    else:
        lines.append(_("Every change has reached the server: nothing unsynced is lost."))
    lines.append(_("The profile as it is now is kept in its backups folder first."))
    return "\n".join(lines)


def restored(result: Restored) -> str:
    lines = [
        _("Restored. {count} unsynced changes were kept.").format(
            count=sum(result.carried.pending.values())
        )
    ]
    if result.carried.already_sent:
        lines.append(
            _(
                "{count} changes the backup still held had already reached the server; they "
                "are not sent again."
            ).format(count=result.carried.already_sent)
        )
    lines.append(
        _("The profile as it was before is kept in {path}.").format(path=result.previous.path)
    )
    return "\n".join(lines)
