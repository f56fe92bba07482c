"""One approved leave form of the demo profile rendered to PDF as the print command renders
it, and its text read back with PDFium (which ships with the app): the title, the student's
name in Vietnamese and the verification code must be there."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from desktop.i18n import _
from desktop.selftest.runner import CheckFailed, Context


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, NFC, its whitespace runs made single spaces."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise CheckFailed(_("the PDF cannot be read")) from error
    try:
        pages = []
        for page in document:
            text_page = page.get_textpage()
            pages.append(_plain(text_page.get_text_range()))
            text_page.close()
            page.close()
        return pages
    finally:
        document.close()


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def check_form_text(data: bytes, expected: Sequence[str]) -> str:
    """``data`` is a one-page PDF whose text holds every passage of ``expected``. The reason
    counts what is missing without quoting it: a name is personal data."""
    pages = pdf_text(data)
    if len(pages) != 1:
        raise CheckFailed(_("the PDF has {count} pages instead of one").format(count=len(pages)))
    missing = [passage for passage in expected if _plain(passage) not in pages[0]]
    if missing:
        raise CheckFailed(
            _("the PDF's text lacks {missing} of the {count} expected passages").format(
                missing=len(missing), count=len(expected)
            )
        )
    return _("{count} passages found").format(count=len(expected))


def render_approved_form(context: Context) -> str | None:
    from sqlalchemy import select

    from desktop.domain.leave import LeaveStatus
    from desktop.models import LeaveRequest
    from desktop.models.encryption import open_profile
    from desktop.reports.leave_form import collect_pages, draw_pages
    from desktop.services import workspace

    database = open_profile(context.database_file())
    try:
        # A transaction, as for the print command: the first print stores the profile's key.
        with workspace.work(database, None) as unit:
            approved = unit.session.scalar(
                select(LeaveRequest.id)
                .where(LeaveRequest.status == LeaveStatus.APPROVED.value)
                .order_by(LeaveRequest.id)
                .limit(1)
            )
            if approved is None:
                raise CheckFailed(_("the demo profile has no approved request"))
            pages = collect_pages(unit.session, unit.scope, [approved])
    finally:
        database.close()
    (page,) = pages
    return check_form_text(
        draw_pages(pages),
        [_("LEAVE OF ABSENCE APPLICATION"), page.form.request.student_name, page.code],
    )
