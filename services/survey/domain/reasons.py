"""The reasons a questionnaire's rows are refused with, as an agency's staff read them:
Chinese first, the English after it for a developer's search (shared/reasons.py). Fields and
codes are the checker's (`answers.py`); only the words are here."""

from __future__ import annotations

IN_FUTURE = "采集时间晚于当前时间 (collected in the future)"
NEEDS_POINT = "本次评议设有调查点, 须填写 survey_point (the wave's survey points need one)"
OTHER_CHANNEL = "本次评议不通过此渠道采集 (the wave does not collect through this channel)"
NEEDS_GROUP = "问卷模板要求填写受访群体 group (the template asks for the respondent group)"
NEEDS_DISTRICT = "问卷模板要求填写辖区 district_id (the template asks for the district)"
OTHER_DISTRICT = (
    "不是本次评议的辖区, 也不在其下级辖区之列 (not the wave's jurisdiction nor one below it)"
)
NEEDS_MEMBER = "代表评议须填写评议代表 respondent_id (a representative evaluation needs the member)"
NOT_MEMBER = "不是本次评议的代表名单成员 (not a member of the wave's panel)"
UNIT_NOT_IN_WAVE = "该单位不在本次评议之列 (unit is not evaluated in this wave)"
NO_RATING = "至少须有一项评价 (at least one rating is required)"
NO_DIMENSIONS = "问卷模板没有评价维度 (the template rates no dimensions)"
NOT_DIMENSION = "不是问卷模板的评价维度 (not a dimension of the template)"
NO_OPINIONS = "问卷模板不征求意见 (the template asks for no opinions)"
NO_RECOMMENDATIONS = (
    "问卷模板不征集重点评议对象推荐 (the template asks for no key-target recommendations)"
)
