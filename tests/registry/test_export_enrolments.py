"""导出参评单位名单 (`enrolment_sheet`): the campaign's enrolled units in the order its
enrolments are listed, each unit read from the registry copy (all in one read), withdrawn
enrolments and units no longer active left out."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.registry.importing.enrolments import enrolment_sheet
from shared.contracts import IntegrationPayload
from shared.contracts.registry import JurisdictionRegistered, UnitDissolved, UnitRegistered
from shared.registry_view import RegistryView
from shared.views import MemoryViewStore
from tests.harness import feed_registry_copy
from tests.registry.export_helpers import registry_messages

COUNTY = UUID(int=1)
CODE = "91411100MA4K00001X"


def unit(n: int, name: str, code: str | None = None) -> UnitRegistered:
    return UnitRegistered(
        unit_id=UUID(int=100 + n),
        jurisdiction_id=COUNTY,
        name=name,
        short_name=None,
        kind="government_department",
        category="政府部门及其它机构",
        credit_code=code,
    )


def copy_of(payloads: list[IntegrationPayload]) -> RegistryView:
    views = MemoryViewStore()
    views.setup()
    feed_registry_copy(views, registry_messages(payloads))
    return RegistryView(views)


def test_enrolled_units_in_listing_order_without_withdrawn_or_ended_ones() -> None:
    view = copy_of(
        [
            JurisdictionRegistered(
                jurisdiction_id=COUNTY, name="源汇区", level="district", parent_id=None
            ),
            unit(1, "源汇区民政局", CODE),
            unit(2, "源汇区粮食局"),
            unit(3, "源汇区统计局"),
            unit(4, "源汇区安监站"),
            UnitDissolved(
                unit_id=UUID(int=102),
                effective_on=date(2025, 1, 1),
                reason="机构改革",
                actor="office:x",
            ),
        ]
    )
    enrolments = [
        {"unit_id": str(UUID(int=104)), "status": "enrolled", "category": "窗口类"},
        {"unit_id": str(UUID(int=102)), "status": "enrolled", "category": "执法类"},
        {"unit_id": str(UUID(int=103)), "status": "withdrawn", "category": "执法类"},
        {"unit_id": str(UUID(int=199)), "status": "enrolled", "category": "执法类"},
        {"unit_id": str(UUID(int=101)), "status": "enrolled", "category": "执法类"},
    ]

    sheet = enrolment_sheet(view, {"name": "2025年评议"}, enrolments)

    assert sheet.title == "2025年评议参评单位"
    assert sheet.headers == ["序号", "单位名称", "统一社会信用代码", "类别"]
    # A unit this copy never saw is still listed (its category is known), with no name.
    assert sheet.rows == [
        ["1", "源汇区安监站", "", "窗口类"],
        ["2", "", "", "执法类"],
        ["3", "源汇区民政局", CODE, "执法类"],
    ]


def test_each_category_lists_names_in_pinyin_order_not_enrolment_order() -> None:
    # 安 (ān) before 临 (lín) before 批 (pī): the order a reader looks names up in, whatever
    # order the sheets enrolled them in.
    view = copy_of(
        [
            JurisdictionRegistered(
                jurisdiction_id=COUNTY, name="源汇区", level="district", parent_id=None
            ),
            unit(1, "批量甲"),
            unit(2, "临颍县民政局"),
            unit(3, "安监站"),
            unit(4, "自来水公司"),
        ]
    )
    # As the campaign lists them: its categories in its own order (政府类 first here), each
    # category in enrolment order.
    enrolments = [
        {"unit_id": str(UUID(int=101)), "status": "enrolled", "category": "政府类"},
        {"unit_id": str(UUID(int=102)), "status": "enrolled", "category": "政府类"},
        {"unit_id": str(UUID(int=103)), "status": "enrolled", "category": "政府类"},
        {"unit_id": str(UUID(int=104)), "status": "enrolled", "category": "公共服务类"},
    ]

    sheet = enrolment_sheet(view, {"name": "2025年评议"}, enrolments)

    assert [row[1:] for row in sheet.rows] == [
        ["安监站", "", "政府类"],
        ["临颍县民政局", "", "政府类"],
        ["批量甲", "", "政府类"],
        ["自来水公司", "", "公共服务类"],
    ]
    assert [row[0] for row in sheet.rows] == ["1", "2", "3", "4"]
