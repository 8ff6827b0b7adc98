"""An uploaded sheet of questionnaires (CSV or XLSX) → the survey batch API's JSON items.

Pure: no store is read or written. The caller builds an `UploadLayout` from the wave (its
units in order, the template's dimensions, whether it asks opinions, recommendations and
the district, whether it is a representative evaluation, the names of its jurisdictions),
calls `parse_questionnaires`, validates each returned item with the same pydantic model as
a JSON push, and reports the `RowError`s (and any validation errors, mapped to the returned
row numbers and, by `ParsedSheet.column`, to their columns) in one list. Answers are passed
on as typed: whether they belong to the wave's scale is the wave's decision, not the sheet's.

The format: the Content-Type when it names one (CSV or XLSX; another is 415), else the file
name and the bytes (`reading.sheet_format`). In XLSX, a formula cell is read as the value
Excel saved with it; one saved without a value, or holding an error value (#N/A), is a
`bad_cell`, never an empty cell (`reading`).

The sheet: one header row (the first row naming a known column, so a title line above it
does no harm), then one questionnaire per row. Columns, matched on NFKC-normalised text
without whitespace or a trailing "*", case-insensitively:

- 问卷编号 / questionnaire_id (required): the agency's id of the questionnaire;
- 采集时间 / collected_at (required): ISO 8601 with an offset, or a local time such as
  "2026-05-01 10:00" or "2026/5/1 10:00" (as Excel writes it in CSV), read as Asia/Shanghai;
- 测评点 / survey_point: the point's code; 设备 / device: a code, passed on;
- 群体 / group: the group's code or its name (服务对象), as the wave declares it;
- 渠道 / channel: a channel code (survey_point, paper, ...) or its label in `CHANNEL_LABELS`
  (`schemas.choices.CHANNELS`: the names a JSON push takes too);
- 区县 / district_id (required when the template asks for the district, else no column):
  the district's jurisdiction id, or the name of one of the wave's jurisdictions;
- 评议代表 / respondent_id (required in a representative evaluation, else no column): the
  panel member's id, as the JSON push's `respondent_id`;
- <unit name> or <unit id>: the unit's overall rating; empty: not rated. A unit without a
  column is rated by no row;
- <unit>|<dimension name or code> (optional): the unit's rating on that evaluation content;
- 意见建议 / opinion: an opinion not tagged to a unit, and <unit>|意见建议, one about that
  unit (when the template asks for opinions);
- 推荐重点评议对象 / recommended_key_targets: unit names or ids separated by 、 or ; (when the
  template asks for recommendations);
- 序号 / #: ignored.

When two units share a name (or a name equals another column's header), their name is
ambiguous: headers must then name them by id, which `layout_template` does by itself.
A wrong header (an unknown, repeated or ambiguous column, a required one missing, no unit
column at all), a sheet without a header or without data rows is refused whole
(`SheetRejected`, 422, every problem listed; `header.py`). Otherwise every cell problem is
reported on its row, naming the column as typed and the field it fills; rows with a
problem are not returned as questionnaires, but a row with a cell problem is returned as
far as it read (`ParsedSheet.partial`), for its other fields to be judged by the wave in
the same answer. A value under a column without a header is a cell problem too.
"""

from services.survey.uploads.cells import RowError, parse_channel, parse_moment
from services.survey.uploads.header import HEADER_SEARCH_ROWS, SheetRejected
from services.survey.uploads.layout import (
    DISTRICT_HEADER,
    PANEL_HEADER,
    UploadLayout,
    header_key,
    layout_template,
)
from services.survey.uploads.parse import MAX_BYTES, MAX_ROWS, ParsedSheet, parse_questionnaires
from services.survey.uploads.reading import sheet_format

__all__ = [
    "DISTRICT_HEADER",
    "HEADER_SEARCH_ROWS",
    "MAX_BYTES",
    "MAX_ROWS",
    "PANEL_HEADER",
    "ParsedSheet",
    "RowError",
    "SheetRejected",
    "UploadLayout",
    "header_key",
    "layout_template",
    "parse_channel",
    "parse_moment",
    "parse_questionnaires",
    "sheet_format",
]
