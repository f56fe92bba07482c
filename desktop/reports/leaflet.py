"""The leaflet for parents: how to register for the e-contact book and send a leave request,
with a QR code to the school's registration address (the profile setting
``profile.REGISTRATION_ADDRESS_KEY``), the class and its homeroom teacher.

The rules it quotes (when a paper original is due, what is a special case) are the school's
policy as the profile holds it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.reports.fonts import SERIF_BOLD, SERIF_ITALIC
from desktop.reports.layout import Frame, render, text
from desktop.reports.qr import draw_qr
from desktop.reports.text_layout import Align, clean
from desktop.services.profile import (
    REGISTRATION_ADDRESS_KEY,
    effective_today,
    registration_address,
    set_setting,
)
from desktop.services.scope import ClassScope

QR_SIZE = 45 * mm


class _QrCode(Flowable):  # type: ignore[misc]
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address
        self.frame_width = QR_SIZE

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.frame_width = available_width
        return available_width, QR_SIZE

    def draw(self) -> None:
        draw_qr(self.canv, self.address, x=(self.frame_width - QR_SIZE) / 2, y=0, size=QR_SIZE)


def checked_address(value: str) -> str:
    """``value`` if it is a web address (http or https with a host), else ``InvalidInput``."""
    address = value.strip()
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in address:
        raise InvalidInput(
            _("{value} is not a web address: write it as https://… .").format(value=value)
        )
    return address


def remember_address(session: Session, value: str) -> str:
    """Store the school's registration address in the profile (checked first)."""
    address = checked_address(value)
    set_setting(session, REGISTRATION_ADDRESS_KEY, address)
    return address


def render_leaflet(
    session: Session, scope: ClassScope, *, address: str = "", **options: Any
) -> bytes:
    """The leaflet, its QR code on ``address`` (or the profile's registration address)."""
    chosen = checked_address(address) if address else registration_address(session)
    if not chosen:
        raise InvalidInput(
            _(
                "The school's registration address is not set: give it once with "
                "homeroom report leaflet --address https://… (or in the print centre)."
            )
        )
    policy = scope.policy
    today = effective_today(session)
    frame = Frame(
        scope,
        _("Guide for parents"),
        _("Registering for the e-contact book and sending a leave request online"),
        today,
    )
    size = 12.0

    def step(value: str) -> Any:
        return text(value, size=size, space_after=3)

    story: list[Any] = [
        text(
            _("Dear parents of class {name},").format(name=scope.class_name),
            size=size,
            space_after=4,
        ),
        step(
            _(
                "the school receives leave requests online: you can ask for your child's "
                "absence from your phone, without coming to the school, and follow the "
                "homeroom teacher's decision."
            )
        ),
        Spacer(1, 6),
        text(_("1. Register for the e-contact book"), size=13, font=SERIF_BOLD, space_after=4),
        step(
            _("a) Scan the QR code below with your phone's camera, or open the address under it.")
        ),
        step(
            _(
                "b) Enter the phone number you gave the homeroom teacher; you receive a code by "
                "text message to confirm it."
            )
        ),
        step(
            _(
                "c) Read how the school uses your data and agree to it: the school records your "
                "consent (Decree 13/2023)."
            )
        ),
        Spacer(1, 4),
        _QrCode(chosen),
        text(clean(chosen), size=11, font=SERIF_ITALIC, align=Align.CENTER, space_after=8),
        text(_("2. Send a leave request"), size=13, font=SERIF_BOLD, space_after=4),
        step(_('a) Sign in and choose "Leave request" and your child.')),
        step(
            _(
                "b) Choose the first and the last session (morning or afternoon) of the absence "
                "and write the reason; send it before the first session if you can."
            )
        ),
        step(
            _(
                "c) The homeroom teacher decides and you are told at once; a request can be "
                "cancelled before the decision."
            )
        ),
        step(
            _(
                "d) A request sent partly online (level 3), and an absence of more than {sessions} "
                "sessions, needs the signed paper original: bring it within {days} school days "
                "after your child returns."
            ).format(
                sessions=policy.special_case_sessions, days=policy.original_overdue_school_days
            )
        ),
        Spacer(1, 8),
        text(
            _("For help, contact the homeroom teacher of class {name}: {teacher}.").format(
                name=scope.class_name, teacher=clean(scope.teacher_name)
            ),
            size=size,
            font=SERIF_BOLD,
        ),
    ]
    return render(frame, story)
