"""Names, words and sizes for the demo data: believable Chinese names, phones, pledge texts."""

from __future__ import annotations

import random
import unicodedata

from django.contrib.auth import get_user_model

from ..models import Member, Organization, Pledge

User = get_user_model()
Level = Organization.Level
OrgField = Organization.Field
Kind = Member.Kind
Status = Pledge.Status

PASSWORD = "demo12345"
COUNTY_NAME = "青溪县委"
CITY_NAME = "江城市委"
CITY_BRANCHES = 7079
CITY_COMMITTEES = 456
CITY_MEMBERS = 167_000
CITY_PLEDGES = 320_000
SMALL_CITY_BRANCHES = 60
ALPHABET = Organization.alphabet
STEPLEN = Organization.steplen

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
MALE_NAMES = (
    "建国 建华 国强 志强 伟 勇 军 磊 涛 斌 浩 鹏 杰 明 超 刚 平 辉 文 海 峰 建军 永强 德明 春生 "
    "立新 振华 学文 子轩 宇航 家豪 思远 卫东 红兵 长青 金山 福生 保国 晓东 俊杰"
).split()
FEMALE_NAMES = (
    "秀英 桂英 玉兰 丽 敏 静 艳 娟 霞 芳 燕 红 玲 婷 雪梅 春梅 淑珍 慧 晓燕 丽华 美玲 欣怡 "
    "雨婷 佳琪 梦瑶 子涵 秀兰 凤英 金花 海燕"
).split()
PLACES = (
    "青山 白石 黄岭 龙泉 桃花 杨柳 清河 石门 新安 太平 长乐 永丰 金竹 凤凰 梅林 高桥 马鞍 双溪 "
    "柏树 松林 红旗 胜利 和平 东风 前进 向阳 大坪 小河 观音 铁炉 茶园 竹林 枫树 荷塘 杏花 李家 "
    "王家 陈家 张家 刘家 沙坪 水口 仙鹤 丰收 兴隆 石桥 长岭 柳溪 金鸡 玉泉"
).split()
BUREAUS = (
    "财政局 发展和改革局 自然资源局 住房和城乡建设局 农业农村局 人力资源和社会保障局 民政局 "
    "交通运输局 水利局 市场监督管理局 应急管理局 文化和旅游局 司法局 统计局 生态环境局"
).split()
DEPARTMENTS = "内科 外科 妇产科 儿科 护理 医技 行政后勤 急诊科 中医科 公共卫生科".split()
COMPANY_UNITS = "工程管理部 综合办公室 财务部 运营部 安全生产部 项目一部 项目二部 物业公司".split()
COMPANIES = "电子科技 新材料 食品 物流 建筑工程 纺织 电商 农业开发 汽车配件 光伏".split()

# Kinds of members by field, as weights: villages have many members without a post, offices
# many leading cadres, communities many retirees.
KIND_WEIGHTS: dict[str, dict[str, int]] = {
    OrgField.RURAL: {Kind.RURAL: 50, Kind.MOBILE: 15, Kind.RETIRED: 20, Kind.ON_DUTY: 12},
    OrgField.COMMUNITY: {
        Kind.RETIRED: 40,
        Kind.ON_DUTY: 35,
        Kind.MOBILE: 12,
        Kind.LEADING_CADRE: 3,
    },
    OrgField.GOVERNMENT: {Kind.ON_DUTY: 65, Kind.LEADING_CADRE: 25, Kind.RETIRED: 10},
    OrgField.SCHOOL: {Kind.ON_DUTY: 80, Kind.LEADING_CADRE: 10, Kind.RETIRED: 10},
    OrgField.MEDICAL: {Kind.ON_DUTY: 80, Kind.LEADING_CADRE: 10, Kind.RETIRED: 10},
    OrgField.STATE_ENTERPRISE: {Kind.ON_DUTY: 80, Kind.LEADING_CADRE: 15, Kind.MOBILE: 5},
    OrgField.NEW_ECONOMY: {Kind.ON_DUTY: 80, Kind.MOBILE: 20},
    OrgField.MASS: {Kind.ON_DUTY: 80, Kind.RETIRED: 20},
}

# 3–5 items for an organization, 2–3 实事好事 for a member, by field.
ORG_TITLES: dict[str, list[str]] = {
    OrgField.RURAL: [
        "村道硬化2公里，解决群众出行难",
        "修建村级文化广场",
        "完成农村饮水安全巩固提升工程",
        "发展村集体经济，年增收10万元",
        "建立留守老人关爱服务站",
        "整治村庄人居环境，清理垃圾死角",
        "修缮山塘水库3座",
        "安装太阳能路灯60盏",
    ],
    OrgField.COMMUNITY: [
        "建设社区居家养老服务中心",
        "协调老旧小区加装电梯4部",
        "开设“四点半课堂”服务双职工家庭",
        "全年办理群众诉求100件以上",
        "整治小区停车难，新增停车位80个",
        "建立网格化服务队，每月走访居民",
        "打造15分钟便民服务圈",
    ],
    OrgField.GOVERNMENT: [
        "推行“一窗受理”，办事时限压缩30%",
        "公开办事流程和服务承诺，接受群众监督",
        "人大代表建议和政协提案100%按时办结",
        "开展“进村入户”走访，解决实际问题20件",
        "窗口服务群众满意率达到98%",
        "精简审批材料，推行“最多跑一次”",
    ],
    OrgField.SCHOOL: [
        "资助家庭困难学生，做到应助尽助",
        "建立家校联系制度，教师家访全覆盖",
        "开设课后延时服务",
        "开展校园安全隐患排查整治",
        "组织党员教师送教下乡",
    ],
    OrgField.MEDICAL: [
        "开展送医下乡义诊12次",
        "推行预约诊疗，缩短门诊候诊时间",
        "为65岁以上老人免费体检",
        "建立家庭医生签约服务团队",
        "开通急诊绿色通道",
    ],
    OrgField.STATE_ENTERPRISE: [
        "确保城区道路改造工程按期完工",
        "农民工工资按时足额发放",
        "全年安全生产零事故",
        "开展技术攻关，降低成本5%",
        "组织党员突击队参与防汛抢险",
    ],
    OrgField.NEW_ECONOMY: [
        "吸纳本地劳动力就业20人",
        "开展员工技能培训4期",
        "组织员工献爱心，结对帮扶困难家庭",
        "建立党员先锋岗，提升产品合格率",
    ],
}
ORG_TITLES[OrgField.MASS] = ORG_TITLES[OrgField.COMMUNITY]

MEMBER_TITLES: dict[str, list[str]] = {
    OrgField.RURAL: [
        "帮扶困难户2户脱困增收",
        "帮助村民发展特色种植",
        "调解邻里纠纷，做到小事不出村",
        "为留守儿童辅导功课",
        "义务宣传惠农政策",
        "带头参与垃圾分类和庭院整治",
        "协助收缴城乡居民医保",
        "为村民代办证照事项",
    ],
    OrgField.COMMUNITY: [
        "结对帮扶独居老人2名",
        "参加社区志愿巡逻，每月2次",
        "办理群众诉求，件件有回音",
        "带头开展垃圾分类宣传",
        "为居民提供法律咨询",
        "参与楼道清理和环境整治",
    ],
    OrgField.GOVERNMENT: [
        "办理群众诉求按时办结率100%",
        "联系帮扶困难户2户",
        "深入基层调研，形成调研报告1篇",
        "带头学习业务知识，提高办事效率",
        "为企业上门服务，解决困难问题",
    ],
    OrgField.SCHOOL: [
        "结对辅导学困生3名",
        "家访学生20户",
        "上好一堂示范课",
        "指导青年教师1名",
        "关爱留守儿童，每月谈心一次",
    ],
    OrgField.MEDICAL: [
        "为慢性病患者提供随访服务",
        "开展健康讲座4次",
        "带教规培医生2名",
        "参加下乡义诊，每季度1次",
    ],
    OrgField.STATE_ENTERPRISE: [
        "开展师带徒，带出技术骨干1名",
        "排查安全隐患，及时整改",
        "提出合理化建议3条",
        "参加志愿服务，每季度1次",
    ],
    OrgField.NEW_ECONOMY: [
        "帮助新员工提升技能",
        "为困难职工捐款捐物",
        "带头执行安全操作规程",
        "参加社区志愿服务",
    ],
}
MEMBER_TITLES[OrgField.MASS] = MEMBER_TITLES[OrgField.COMMUNITY]

FAULT_TITLES = [
    "改正工作作风不实的缺点",
    "改正理论学习不够深入的不足",
    "克服服务群众不够主动的问题",
    "改正工作方法简单的缺点",
    "克服办事拖拉的毛病",
    "改正联系群众不紧密的问题",
    "克服开拓创新意识不强的不足",
]
MEASURES = [
    "制定工作计划，明确责任人，每月推进一次，建立台账逐项落实",
    "走访群众摸清底数，列出清单，按月推进，接受群众监督",
    "争取上级支持，落实资金，倒排工期，挂图作战",
    "每周安排固定时间，坚持记录，季度自查，及时调整",
    "结对联系，定期回访，发现问题当场解决",
]
FAULT_MEASURES = [
    "每月参加集中学习，撰写心得体会，请身边党员监督提醒",
    "坚持深入一线，每月走访群众不少于4次，主动听取意见",
    "对照问题清单逐项整改，每季度向支部汇报整改情况",
]
EXPECTED = [
    "群众满意率达到95%以上",
    "按期完成，群众看得见、摸得着",
    "困难问题得到解决，群众满意",
    "形成长效机制，群众评价好",
]
PROGRESS_TEXTS = [
    "走访群众{a}户，收集意见建议{b}条，已逐条登记",
    "召开专题会议研究推进，已完成计划的{p}%",
    "协调资金{a}万元，已开工建设",
    "已帮助{b}户群众解决实际困难，群众反映良好",
    "本月按计划推进，已完成阶段目标，照片资料已存档",
    "对照承诺自查，整改落实{b}项，请支部委员监督",
]
CLOSE_RESULTS = [
    "已按期完成，群众满意",
    "经验收合格，群众满意度调查满意率96%",
    "承诺事项全部兑现，已在公开栏公示",
]
UNFULFILLED_REASONS = [
    "受资金未到位影响，未能按期完成",
    "因项目规划调整，未能兑现，已向群众说明",
    "落实措施不力，未能按期完成，已进行再承诺",
]
RETURN_REASONS = [
    "承诺内容不够具体，请量化目标后重新提交",
    "完成时限不明确，请补充",
    "承诺事项与群众需求结合不够紧，请修改",
]


def display_width(text: str) -> int:
    """Terminal width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def person_name(rng: random.Random, taken: set[str] | None = None) -> tuple[str, str]:
    """A Chinese name and gender; `taken` keeps names unique within one branch."""
    for _attempt in range(50):
        gender = Member.Gender.FEMALE if rng.random() < 0.38 else Member.Gender.MALE
        given = rng.choice(FEMALE_NAMES if gender == Member.Gender.FEMALE else MALE_NAMES)
        name = rng.choice(SURNAMES) + given
        if taken is None or name not in taken:
            break
    else:
        name = f"{name}{len(taken)}"
    if taken is not None:
        taken.add(name)
    return name, gender


def phone_number(rng: random.Random) -> str:
    return (
        "1"
        + rng.choice(("38", "39", "58", "59", "86", "87", "35", "36"))
        + f"{rng.randrange(10**8):08d}"
    )


def member_kind(rng: random.Random, org_field: str) -> str:
    weights = KIND_WEIGHTS[org_field]
    return rng.choices(list(weights), weights=list(weights.values()))[0]
