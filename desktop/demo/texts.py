"""The Vietnamese free text of the demo: reasons, decisions and audit notes, short as parents and
teachers write them (domain.md §6: health details stay brief, no diagnosis beyond a word or two).

These are data, not interface strings: they are stored in the database and never translated.
"""

from __future__ import annotations

from desktop.domain.leave import AuditMethod, ReasonCategory

ILLNESS = (
    "Sốt, ho",
    "Sốt cao, đi khám bệnh",
    "Đau bụng",
    "Cảm cúm",
    "Viêm họng",
    "Đau răng, đi nha sĩ",
    "Đau đầu, chóng mặt",
    "Tái khám theo hẹn của bác sĩ",
    "Trặc chân khi chơi bóng",
    "Đau mắt đỏ",
    "Sốt siêu vi",
    "Dị ứng, nổi mẩn",
)
ILLNESS_LONG = (
    "Sốt xuất huyết, điều trị tại bệnh viện",
    "Mổ ruột thừa, nằm viện theo dõi",
    "Gãy tay, bó bột",
    "Viêm phổi, điều trị nội trú",
    "Thủy đậu, nghỉ ở nhà theo dõi",
)
FAMILY = (
    "Gia đình có việc riêng",
    "Dự đám cưới anh ruột",
    "Về quê cùng gia đình",
    "Đám giỗ ông nội",
    "Đưa em đi khám bệnh",
    "Nhà có việc, em ở nhà phụ giúp",
    "Cùng gia đình thăm ông bà ở Cần Thơ",
)
BEREAVEMENT = ("Bà nội mất", "Ông ngoại mất, về quê chịu tang", "Dự đám tang bà cố", "Chú ruột mất")
OTHER = (
    "Đường ngập do triều cường",
    "Xe hư giữa đường",
    "Đi thi năng khiếu",
    "Đi làm thẻ căn cước",
    "Làm hồ sơ xin học bổng",
)
GET_WELL_NOTE = "Chúc em mau khỏe."
APPROVED_NOTES = (
    "",
    "",
    "",
    "",
    "Đã duyệt.",
    GET_WELL_NOTE,
    "Em nhớ chép bài đầy đủ.",
    "Đồng ý. Em nhớ bổ sung bài tập.",
)
_INSTEAD_OF_GET_WELL = {
    ReasonCategory.BEREAVEMENT: "Chia buồn cùng gia đình em.",
    ReasonCategory.FAMILY: "Đã duyệt.",
    ReasonCategory.OTHER: "Đã duyệt.",
}


def approval_note(drawn: str, category: ReasonCategory) -> str:
    """The teacher's note on an approval, drawn from ``APPROVED_NOTES``: a get-well wish only
    on an illness (the demo wished a pupil a quick recovery from a funeral). The draw itself is
    kept, so the demo class stays the same request for request."""
    if drawn == GET_WELL_NOTE:
        return _INSTEAD_OF_GET_WELL.get(category, drawn)
    return drawn


SPECIAL_NOTE = "Đã có ý kiến đồng ý của Hiệu trưởng. Phụ huynh nộp đơn giấy khi em đi học lại."
REJECTION_NOTES = (
    "Lý do chưa rõ ràng, đề nghị phụ huynh liên hệ trực tiếp GVCN.",
    "Trùng bài kiểm tra giữa kỳ; đề nghị sắp xếp việc gia đình vào ngày khác.",
    "Đây không phải lý do chính đáng để nghỉ học.",
    "Phụ huynh chưa xác nhận qua điện thoại như đã hẹn.",
)
DUPLICATE_NOTE = "Đơn trùng với đơn đã được duyệt trước đó."
AUDIT_NOTES = {
    AuditMethod.PHONE: "Gọi điện cho phụ huynh, xác nhận đúng lý do.",
    AuditMethod.MEETING: "Gặp phụ huynh tại trường, xác nhận đúng.",
    AuditMethod.DOCUMENT: "Đã xem giấy tờ phụ huynh cung cấp, khớp với lý do.",
}
DISCREPANCY_NOTES = (
    "Xác minh với phụ huynh: lý do trong đơn không đúng, em nghỉ đi chơi cùng bạn.",
    "Phụ huynh không biết có đơn xin nghỉ; đơn do người khác gửi.",
)
CHANGE_REASONS = {
    "TX": ("Nhập nhầm điểm của học sinh khác", "Nhập nhầm cột điểm"),
    "GK": ("Chấm phúc khảo bài kiểm tra giữa kỳ", "Cộng sót điểm phần tự luận"),
    "CK": ("Chấm phúc khảo bài kiểm tra cuối kỳ", "Sửa điểm theo biên bản chấm lại"),
}
"""Why a published score was changed, by column."""
CHECKED_NOTE = "Đã đối chiếu bài kiểm tra gốc."
CONSENT_AT_MEETING = "Phiếu đồng ý ký tại buổi họp phụ huynh đầu năm"
CONSENT_ONLINE = "Đồng ý khi đăng ký sổ liên lạc điện tử"
