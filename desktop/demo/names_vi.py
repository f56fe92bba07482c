"""Vietnamese personal names for the demo data, and the stored form of the class-list sort key.

The lists lean towards the Mekong delta (Bến Tre): Huỳnh and Võ are more common there than their
northern forms Hoàng and Vũ. Every string is written in NFC and passed through
``desktop.domain.names.normalize`` again when used, so a copy-paste in another form cannot slip in.
"""

from __future__ import annotations

import random

from desktop.domain.names import normalize

# (family name, weight): rough national shares, adjusted for the South.
FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 31),
    ("Trần", 11),
    ("Lê", 10),
    ("Phạm", 6),
    ("Huỳnh", 5),
    ("Võ", 5),
    ("Phan", 4),
    ("Trương", 3),
    ("Bùi", 2),
    ("Đặng", 2),
    ("Đỗ", 2),
    ("Ngô", 2),
    ("Hồ", 2),
    ("Dương", 2),
    ("Lý", 1),
    ("Đoàn", 1),
    ("Lâm", 1),
    ("Châu", 1),
    ("Mai", 1),
    ("Tô", 1),
)

MALE_MIDDLE: tuple[str, ...] = (
    "Văn",
    "Văn",
    "Văn",
    "Minh",
    "Minh",
    "Hoàng",
    "Quốc",
    "Thanh",
    "Gia",
    "Đức",
    "Hữu",
    "Nhật",
    "Trọng",
    "Công",
    "Tấn",
    "Thành",
    "Anh",
    "Tuấn",
    "Hoàng Gia",
    "Minh Nhật",
    "Phúc",
)
FEMALE_MIDDLE: tuple[str, ...] = (
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Ngọc",
    "Thanh",
    "Thu",
    "Bảo",
    "Khánh",
    "Phương",
    "Kim",
    "Mỹ",
    "Hoài",
    "Như",
    "Thảo",
    "Thị Thanh",
    "Ngọc Bảo",
    "Thị Mỹ",
    "Huỳnh",
    "Yến",
)
MALE_GIVEN: tuple[str, ...] = (
    "An",
    "Bảo",
    "Bình",
    "Cường",
    "Duy",
    "Dũng",
    "Đạt",
    "Đăng",
    "Đức",
    "Hải",
    "Hào",
    "Hiếu",
    "Hoàng",
    "Huy",
    "Hưng",
    "Khang",
    "Khải",
    "Khoa",
    "Khôi",
    "Kiệt",
    "Lâm",
    "Lộc",
    "Long",
    "Luân",
    "Minh",
    "Nam",
    "Nghĩa",
    "Nguyên",
    "Nhân",
    "Phát",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Sang",
    "Sơn",
    "Tài",
    "Tâm",
    "Thắng",
    "Thành",
    "Thiện",
    "Thịnh",
    "Tín",
    "Toàn",
    "Trí",
    "Trung",
    "Tuấn",
    "Vinh",
    "Vũ",
    "Ý",
)
FEMALE_GIVEN: tuple[str, ...] = (
    "Anh",
    "Ân",
    "Châu",
    "Chi",
    "Diễm",
    "Duyên",
    "Giang",
    "Hà",
    "Hân",
    "Hằng",
    "Hạnh",
    "Hiền",
    "Hoa",
    "Hương",
    "Huyền",
    "Khánh",
    "Lan",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhi",
    "Nhung",
    "Như",
    "Oanh",
    "Phương",
    "Quyên",
    "Quỳnh",
    "Tâm",
    "Thảo",
    "Thư",
    "Thy",
    "Tiên",
    "Trâm",
    "Trang",
    "Trân",
    "Trinh",
    "Uyên",
    "Vân",
    "Vy",
    "Xuân",
    "Yến",
)

# Parents and grandparents were named a generation earlier.
ADULT_MALE_MIDDLE: tuple[str, ...] = ("Văn", "Văn", "Văn", "Minh", "Thanh", "Hữu", "Quốc", "Công")
ADULT_FEMALE_MIDDLE: tuple[str, ...] = ("Thị", "Thị", "Thị", "Thị", "Ngọc", "Thanh", "Kim")
ADULT_MALE_GIVEN: tuple[str, ...] = (
    "Hùng",
    "Dũng",
    "Tuấn",
    "Thanh",
    "Hải",
    "Sơn",
    "Phong",
    "Tâm",
    "Bình",
    "Hòa",
    "Lợi",
    "Phước",
    "Thành",
    "Tài",
    "Hiền",
    "Nghĩa",
    "Trung",
    "Danh",
    "Lộc",
    "Thuận",
    "Tùng",
    "Vinh",
)
ADULT_FEMALE_GIVEN: tuple[str, ...] = (
    "Lan",
    "Hương",
    "Hoa",
    "Hạnh",
    "Thủy",
    "Hồng",
    "Loan",
    "Nga",
    "Phượng",
    "Mai",
    "Cúc",
    "Thu",
    "Bích",
    "Kiều",
    "Dung",
    "Liên",
    "Tuyết",
    "Nhàn",
    "Thúy",
    "Trinh",
    "Hằng",
    "Yến",
)


def family_name(rng: random.Random) -> str:
    names = [name for name, _weight in FAMILY_NAMES]
    weights = [weight for _name, weight in FAMILY_NAMES]
    return rng.choices(names, weights)[0]


def _compose(family: str, middle: str, given: str) -> str:
    return normalize(f"{family} {middle} {given}")


def student_name(rng: random.Random, family: str, female: bool, given: str | None = None) -> str:
    """A student's full name: the family name, a gendered middle name and a given name."""
    middles = FEMALE_MIDDLE if female else MALE_MIDDLE
    while True:
        middle = rng.choice(middles)
        chosen = given or rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
        # "Nguyễn Minh Minh" is not a name anyone gives.
        if chosen not in middle.split(" "):
            return _compose(family, middle, chosen)


def adult_name(rng: random.Random, family: str, female: bool) -> str:
    """A parent's, grandparent's or teacher's full name."""
    middle = rng.choice(ADULT_FEMALE_MIDDLE if female else ADULT_MALE_MIDDLE)
    given = rng.choice(ADULT_FEMALE_GIVEN if female else ADULT_MALE_GIVEN)
    return _compose(family, middle, given)


def unique_names(rng: random.Random, count: int) -> list[tuple[str, bool]]:
    """``count`` distinct student names with their gender (``True`` for female).

    Given names are dealt from a shuffled deck per gender, so a class list spreads over the
    alphabet (and shows off Vietnamese order: "Đạt" after "Dũng", "Ân" after "Anh")."""
    decks: dict[bool, list[str]] = {True: [], False: []}
    seen: set[str] = set()
    result: list[tuple[str, bool]] = []
    while len(result) < count:
        female = rng.random() < 0.52  # girls are slightly more numerous in upper secondary
        deck = decks[female]
        if not deck:
            deck.extend(FEMALE_GIVEN if female else MALE_GIVEN)
            rng.shuffle(deck)
        name = student_name(rng, family_name(rng), female, deck.pop())
        if name not in seen:
            seen.add(name)
            result.append((name, female))
    return result
