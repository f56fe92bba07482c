"""The people of the demo school: staff, students and guardians, as rows ready to insert.

Names are Vietnamese (``desktop.demo.names_vi``), stored in NFC; guardians are the parents, or the
grandparents, aunt or uncle who raise the student while the parents work away. About 70 % of the
guardians registered for the e-contact book with a recorded consent (domain.md §6), most of them
at the first parents' meeting; only they can send requests online.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from desktop.demo import names_vi
from desktop.demo.school import CLASSES_PER_TEACHER, PARENTS_MEETING, YEAR_START, SubjectSpec
from desktop.demo.texts import CONSENT_AT_MEETING, CONSENT_ONLINE
from desktop.domain.names import normalize, search_key, sort_text

Row = dict[str, Any]

HOMEROOM_SUBJECTS = ("VAN", "TOAN", "ANH", "LY", "HOA", "SU", "SINH", "TIN", "DIA", "KTPL")
"""What homeroom teachers teach, in turn; the demo class's teacher teaches Ngữ văn. A homeroom
teacher also leads the class's experiential activities (HĐTN-HN)."""
HOMEROOM_ALSO = "HDTN"


@dataclass
class Staff:
    principal: str
    homeroom: dict[tuple[int, int], tuple[int, str]]
    """(grade, number) -> homeroom teacher's id and name."""
    pools: dict[str, list[tuple[int, str]]]
    """Subject code -> the subject teachers who take it, in order."""
    turns: Counter[str]
    """How many classes each pool has been given so far."""

    def teacher_for(
        self, key: tuple[int, int], spec: SubjectSpec, homeroom_subject: str
    ) -> tuple[int, str]:
        """Who teaches ``spec`` in class ``key``: its homeroom teacher, or the next teacher of
        the subject's pool (a teacher takes a block of neighbouring classes)."""
        if spec.code in (homeroom_subject, HOMEROOM_ALSO):
            return self.homeroom[key]
        pool = self.pools[spec.code]
        turn = self.turns[spec.code]
        self.turns[spec.code] += 1
        return pool[(turn // CLASSES_PER_TEACHER[spec.periods_per_year]) % len(pool)]


def class_plan(classes: int) -> list[tuple[int, int]]:
    """(grade, number) of each class, 11A1 first (it is the profile's default class)."""
    per_grade = {grade: classes // 3 for grade in (10, 11, 12)}
    for grade in (11, 10, 12)[: classes % 3]:
        per_grade[grade] += 1
    plan = [(grade, n) for grade in (10, 11, 12) for n in range(1, per_grade[grade] + 1)]
    plan.remove((11, 1))
    return [(11, 1), *plan]


def homeroom_subject(index: int, specs: Sequence[SubjectSpec]) -> str:
    codes = {spec.code for spec in specs}
    for step in range(len(HOMEROOM_SUBJECTS)):
        code = HOMEROOM_SUBJECTS[(index + step) % len(HOMEROOM_SUBJECTS)]
        if code in codes:
            return code
    return specs[0].code


class People:
    """Distinct adult names and phone numbers across the whole school."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.phones: set[str] = set()

    def name(self, family: str | None, female: bool) -> str:
        while True:
            name = names_vi.adult_name(self.rng, family or names_vi.family_name(self.rng), female)
            if name not in self.names or family is not None:
                self.names.add(name)
                return name

    def phone(self) -> str:
        while True:
            phone = "09" + "".join(str(self.rng.randrange(10)) for _digit in range(8))
            if phone not in self.phones:
                self.phones.add(phone)
                return phone


def make_staff(
    rng: random.Random,
    people: People,
    *,
    school_id: int,
    plan: Sequence[tuple[int, int]],
    homeroom_subjects: dict[tuple[int, int], str],
    specs: dict[tuple[int, int], list[SubjectSpec]],
    next_teacher_id: Callable[[], int],
) -> tuple[Staff, list[Row]]:
    """The principal, one homeroom teacher per class and enough subject teachers for the rest
    (about 17 periods a week each); returns the staff and its teacher rows."""
    teacher_id = next_teacher_id
    rows: list[Row] = []
    number = itertools.count(1)

    def teacher(role: str) -> tuple[int, str]:
        new_id, name = teacher_id(), people.name(None, rng.random() < 0.6)
        rows.append(
            {
                "id": new_id,
                "school_id": school_id,
                "code": f"GV{next(number):03d}",
                "full_name": name,
                "role": role,
            }
        )
        return new_id, name

    principal = teacher("principal")[1]
    homeroom = {key: teacher("homeroom") for key in plan}
    needed: Counter[str] = Counter()
    periods: dict[str, int] = {}
    for key in plan:
        for spec in specs[key]:
            if spec.code not in (homeroom_subjects[key], HOMEROOM_ALSO):
                needed[spec.code] += 1
                periods[spec.code] = spec.periods_per_year
    pools = {
        code: [
            teacher("subject")
            for _n in range(math.ceil(count / CLASSES_PER_TEACHER[periods[code]]))
        ]
        for code, count in sorted(needed.items())
    }
    return Staff(principal, homeroom, pools, Counter()), rows


def make_students(
    rng: random.Random,
    class_id: int,
    grade: int,
    people: People,
    *,
    next_student_id: Callable[[], int],
    next_guardian_id: Callable[[], int],
    student_code: Callable[[], str],
) -> tuple[list[Row], list[Row]]:
    """40-45 students born the right year, each with one or two guardians; about 70 % of the
    guardians registered for the e-contact book, most at the first parents' meeting."""
    born = YEAR_START - grade - 5
    students: list[Row] = []
    guardians: list[Row] = []
    for full_name, female in names_vi.unique_names(rng, rng.randint(40, 45)):
        name = normalize(full_name)
        student_id = next_student_id()
        students.append(
            {
                "id": student_id,
                "class_id": class_id,
                "code": student_code(),
                "full_name": name,
                "sort_key": sort_text(name),
                "search_key": search_key(name),
                "date_of_birth": date(born, 1, 1) + timedelta(days=rng.randint(0, 364)),
                "gender": "female" if female else "male",
            }
        )
        family = name.split(" ")[0]
        for relation in _household(rng):
            female_adult = relation in ("mother", "grandmother", "aunt")
            same_family = relation in ("father", "grandfather", "uncle")
            guardians.append(
                {
                    "id": next_guardian_id(),
                    "student_id": student_id,
                    "full_name": people.name(family if same_family else None, female_adult),
                    "relation": relation,
                    "phone": people.phone(),
                    "econtact_registered_on": None,
                    "consent_recorded_on": None,
                    "consent_note": "",
                }
            )
    for row in rng.sample(guardians, round(0.7 * len(guardians))):
        if rng.random() < 0.8:
            day = (
                PARENTS_MEETING
                if rng.random() < 0.5
                else date(2025, 8, 28) + timedelta(days=rng.randint(0, 16))
            )
        else:
            day = date(2025, 9, 15) + timedelta(days=rng.randint(0, 60))
        note = CONSENT_AT_MEETING if day == PARENTS_MEETING else CONSENT_ONLINE
        row.update(econtact_registered_on=day, consent_recorded_on=day, consent_note=note)
    return students, guardians


def _household(rng: random.Random) -> tuple[str, ...]:
    """Who answers for the student: both parents, one, or grandparents while parents work in
    Bình Dương or Ho Chi Minh City, as often in the Mekong delta."""
    return rng.choices(
        (
            ("father", "mother"),
            ("mother",),
            ("father",),
            ("grandmother",),
            ("grandmother", "grandfather"),
            ("aunt",),
            ("uncle",),
        ),
        (52, 20, 8, 8, 6, 4, 2),
    )[0]
