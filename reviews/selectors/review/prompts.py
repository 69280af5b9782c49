"""What a review comments on: 五个好 for organizations, 五带头 / 德能勤绩廉 for members."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges.models import Member, Organization

from ...models import Subject, SubjectKind

# Lazy: these are read per request, in the language of that request.
FIVE_GOODS = (
    gettext_lazy("领导班子好：班子团结、战斗力强"),
    gettext_lazy("党员队伍好：党员发挥先锋模范作用"),
    gettext_lazy("工作机制好：民主管理、制度落实"),
    gettext_lazy("工作业绩好：中心工作和承诺事项完成情况"),
    gettext_lazy("群众反映好：党风廉政、解决群众关心的民生问题"),
)


FIVE_LEADS = (
    gettext_lazy("带头学习提高"),
    gettext_lazy("带头争创佳绩：立足岗位、践行承诺"),
    gettext_lazy("带头服务群众：为群众办实事、好事"),
    gettext_lazy("带头遵纪守法"),
    gettext_lazy("带头弘扬正气"),
)


FIELD_PROMPTS = {
    Organization.Field.RURAL: gettext_lazy("带领群众增收致富、村务公开和民主管理"),
    Organization.Field.COMMUNITY: gettext_lazy("服务居民、化解矛盾纠纷、社区治理"),
    Organization.Field.GOVERNMENT: gettext_lazy("机关作风效能、服务基层和群众"),
    Organization.Field.SCHOOL: gettext_lazy("教书育人、师德师风、家校联系"),
    Organization.Field.MEDICAL: gettext_lazy("医德医风、改善服务、方便患者"),
    Organization.Field.STATE_ENTERPRISE: gettext_lazy("生产经营、改革发展、职工群众利益"),
    Organization.Field.NEW_ECONOMY: gettext_lazy("企业健康发展、职工合法权益、党组织作用发挥"),
    Organization.Field.MASS: gettext_lazy("联系服务所代表的群众"),
}


MEMBER_KIND_PROMPTS = {
    Member.Kind.LEADING_CADRE: gettext_lazy("德能勤绩廉：分管工作、联系群众、廉洁自律"),
    Member.Kind.ON_DUTY: gettext_lazy("本职工作完成情况、岗位争优"),
    Member.Kind.RETIRED: gettext_lazy("发挥余热、参与社区服务和志愿活动"),
    Member.Kind.MOBILE: gettext_lazy("与组织保持联系、按时汇报（可书面点评）"),
    Member.Kind.RURAL: gettext_lazy("设岗定责、履行党员义务、带头致富"),
}


def review_prompts(subject: Subject) -> list[str]:
    """What to comment on: 五个好 for organizations, 五带头 / 德能勤绩廉 for members, adjusted
    by the organization's field and the member's kind."""
    field_prompt = FIELD_PROMPTS.get(subject.organization.field)
    if subject.kind == SubjectKind.MEMBER:
        prompts = [str(p) for p in FIVE_LEADS]
        prompts.append(str(_("承诺践诺：承诺事项的兑现情况")))
        kind_prompt = MEMBER_KIND_PROMPTS.get(subject.member.kind)
        if kind_prompt:
            prompts.append(str(kind_prompt))
        if subject.member.probationary:
            prompts.append(str(_("预备期表现、入党动机和培养考察情况")))
        return prompts
    if subject.kind == SubjectKind.SECRETARY:
        prompts = [
            str(_("抓党建工作责任制落实情况")),
            str(_("班子带头人作用、民主作风")),
            str(_("德能勤绩廉")),
        ]
    else:
        prompts = [str(p) for p in FIVE_GOODS]
        prompts.append(str(_("承诺践诺：3–5 项组织承诺的兑现情况")))
    if field_prompt:
        prompts.append(str(field_prompt))
    return prompts
