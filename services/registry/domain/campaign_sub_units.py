"""In which category of a campaign a sub-unit may be enrolled (下属单位的参评类别).

A sub-unit's results count in its parent's score, and it is ranked among the sub-units of
its own category. The programs evaluate sub-units in two ways (seed 000): beside their
parent, in the parent's category, or as a group of their own, in a category that holds
sub-units only (重点科室和重点岗位, 基层站所和窗口单位: the shipped Luohe scheme scores
them there and rolls each one's score up into its parent). What makes no sense is a
sub-unit of an enrolled unit ranked in a category where other units are evaluated as
units, other than its parent's: a 民政局 window among the 公共服务行业, say.

So, in one campaign, for every enrolled sub-unit whose parent unit is enrolled too: the
sub-unit's category is its parent's, or a category in which every enrolled unit has a
parent unit. Enrolments are checked, after a whole batch is applied, from each side:
- a sub-unit enrolled in such a category other than its parent's;
- a parent enrolled in another category than such a sub-unit of it;
- a unit without a parent enrolled as the first of its kind in a category of sub-units
  that already holds sub-units of parents enrolled elsewhere.
Each is refused (422) naming `enrolments.<i>.category` of the batch item. A sub-unit whose
parent is not enrolled in the campaign (a county's station of a city bureau, in the
county's campaign) is free to be enrolled in any category, as is every unit registered
without a parent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from uuid import UUID

from services.registry.domain.units import Unit


def sub_unit_category_refusal(
    enrolled: Mapping[UUID, str], batch: Sequence[UUID], unit: Callable[[UUID], Unit]
) -> tuple[int, str] | None:
    """(index in `batch`, reason) of the first batch item the rule refuses, or None.

    `enrolled`: every unit enrolled in the campaign once the batch is applied, with its
    category; `batch`: the units the batch enrols, in order; `unit`: loads a unit (called
    at most once per unit)."""
    return _Check(enrolled, batch, unit).first_refusal()


class _Check:
    def __init__(
        self, enrolled: Mapping[UUID, str], batch: Sequence[UUID], unit: Callable[[UUID], Unit]
    ) -> None:
        self.enrolled = enrolled
        self.batch = batch
        self.in_batch = set(batch)
        self._load = unit
        self._units: dict[UUID, Unit] = {}
        self.members: dict[str, list[UUID]] = {}
        for unit_id, category in enrolled.items():
            self.members.setdefault(category, []).append(unit_id)

    def unit(self, unit_id: UUID) -> Unit:
        if unit_id not in self._units:
            self._units[unit_id] = self._load(unit_id)
        return self._units[unit_id]

    def has_units_of_their_own(self, category: str, *, before_batch: bool = False) -> bool:
        """Whether some unit enrolled in `category` has no parent unit."""
        return any(
            self.unit(member).parent_id is None
            for member in self.members.get(category, [])
            if not (before_batch and member in self.in_batch)
        )

    def misplaced(self, sub_id: UUID, parent_id: UUID) -> bool:
        category = self.enrolled[sub_id]
        return category != self.enrolled[parent_id] and self.has_units_of_their_own(category)

    def first_refusal(self) -> tuple[int, str] | None:
        for index, unit_id in enumerate(self.batch):
            reason = self.refusal(unit_id)
            if reason is not None:
                return index, reason
        return None

    def refusal(self, unit_id: UUID) -> str | None:
        return (
            self.as_sub_unit(unit_id) or self.as_parent(unit_id) or self.as_unit_of_its_own(unit_id)
        )

    def as_sub_unit(self, unit_id: UUID) -> str | None:
        """A sub-unit in a category with units of their own, not its parent's."""
        parent_id = self.unit(unit_id).parent_id
        if parent_id is None or parent_id not in self.enrolled:
            return None
        if not self.misplaced(unit_id, parent_id):
            return None
        return (
            f"下属单位应与上级单位同类别, 或参加下属单位类别: 上级单位 "
            f"{self.unit(parent_id).name} 参加的是 {self.enrolled[parent_id]}, 而 "
            f"{self.enrolled[unit_id]} 是单位自身参评的类别 "
            f"(its parent unit {self.unit(parent_id).name} is enrolled in "
            f"{self.enrolled[parent_id]}, and {self.enrolled[unit_id]} holds units evaluated "
            "as units: a sub-unit is enrolled in its parent's category or in a category of "
            "sub-units only, such as grassroots stations and service windows)"
        )

    def as_parent(self, unit_id: UUID) -> str | None:
        """A parent in another category than a sub-unit of its in such a category."""
        for sub_id in self.unit(unit_id).sub_unit_ids:
            already = sub_id in self.enrolled and sub_id not in self.in_batch
            if already and self.misplaced(sub_id, unit_id):
                return (
                    f"上级单位应与下属单位同类别: 下属单位 {self.unit(sub_id).name} 参加的是 "
                    f"{self.enrolled[sub_id]}, 请把本单位也列入该类别, 或先撤回下属单位 "
                    f"(its sub-unit {self.unit(sub_id).name} is enrolled in "
                    f"{self.enrolled[sub_id]}, which holds units evaluated as units: enrol "
                    "this unit in that category too, or withdraw the sub-unit first)"
                )
        return None

    def as_unit_of_its_own(self, unit_id: UUID) -> str | None:
        """The first unit without a parent in a category of sub-units whose parents are
        enrolled elsewhere."""
        category = self.enrolled[unit_id]
        if self.unit(unit_id).parent_id is not None:
            return None
        if self.has_units_of_their_own(category, before_batch=True):
            return None  # the category was one of units already; its sub-units were checked
        for member in self.members.get(category, []):
            above = None if member in self.in_batch else self.unit(member).parent_id
            if above is not None and self.enrolled.get(above, category) != category:
                return (
                    f"该类别为下属单位类别: {category} 含有其它类别单位的下属单位 "
                    f"(如 {self.unit(member).name}), 没有上级单位的单位不能列入 "
                    f"({category} holds sub-units (such as {self.unit(member).name}) of units "
                    "enrolled in other categories: it is a category of sub-units, and a unit "
                    "without a parent unit is not enrolled in it)"
                )
        return None
