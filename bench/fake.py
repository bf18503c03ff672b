"""Fictitious but plausible content: names, phone numbers, what callers say. Deterministic per seed."""

from __future__ import annotations

import random

# Common surnames, the most frequent first (weights fall off like the real distribution).
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国玉梅海燕云飞鹏辉玲红志宏丹萍波斌宇浩凯"
         "秀淑文婷雪琳晨欣怡子涵佳琪嘉瑶俊杰诗雨梓轩思远浩然雅琴德福荣贵秋菊春花振东立新晓东")
MOBILE = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
          "158", "159", "166", "176", "177", "180", "181", "186", "187", "188", "189", "191", "199")
AREA_CODES = ("0755", "0571", "020", "028", "0731")

CALL_MATTERS = {
    "咨询": ("咨询物业费缴纳方式", "询问停车月卡办理手续", "咨询装修申请需要哪些资料", "询问小区开放时间",
             "咨询入住手续办理流程", "询问快递代收点位置"),
    "报修": ("卫生间地漏堵塞", "厨房水龙头漏水", "客厅灯不亮", "空调不制冷", "入户门锁开关不灵",
             "热水器不出热水", "阳台推拉门卡住"),
    "投诉": ("楼上夜间噪音扰民", "电梯长时间停运", "楼道堆放杂物未清理", "保洁不及时", "车位被占用"),
    "建议": ("建议增加儿童游乐设施", "建议延长会所开放时间", "建议增设电动车充电桩"),
    "求助": ("老人身体不适需要协助联系家属", "钥匙锁在屋内需要协助开门", "快递包裹太重需要搬运"),
}
MATTER_WEIGHTS = {"咨询": 40, "报修": 30, "投诉": 12, "建议": 6, "求助": 12}
REPAIR_ITEMS = ("卫生间马桶水箱一直进水", "洗手盆水龙头关不紧,一直滴水", "卧室空调外机噪音大",
                "厨房下水道反味", "入户门把手松动", "客厅插座没电", "阳台晾衣架升降不了", "热水器点不着火",
                "天花板渗水", "窗户密封条脱落")
RESULTS = ("已更换配件,住户确认正常", "已疏通,现场试水正常", "已维修完毕,住户满意", "已紧固,正常使用")
PURPOSES = ("技术员陪同顾客验房", "维修", "空置房巡查", "抄表", "保洁开荒", "业主委托开门通风")
BORROWER_DEPTS = ("工程部", "客服部", "销售部", "市场营销部")
LEAVE_REASONS = ("家中有事", "身体不适就医", "孩子开家长会", "回老家办事", "陪同家人就医", "办理证件")


class Fake:
    def __init__(self, seed: int = 20261202) -> None:
        self.rng = random.Random(seed)
        self._surname_weights = [1 / (i + 3) for i in range(len(SURNAMES))]

    def name(self) -> str:
        surname = self.rng.choices(SURNAMES, self._surname_weights)[0]
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return surname + given

    def phone(self) -> str:
        if self.rng.random() < 0.9:
            return self.rng.choice(MOBILE) + f"{self.rng.randrange(10**8):08d}"
        return f"{self.rng.choice(AREA_CODES)}-{self.rng.randrange(2 * 10**7, 9 * 10**7)}"

    def matter(self) -> tuple[str, str]:
        kind = self.rng.choices(list(MATTER_WEIGHTS), list(MATTER_WEIGHTS.values()))[0]
        return kind, self.rng.choice(CALL_MATTERS[kind])

    def pick(self, items: tuple[str, ...] | list[str]) -> str:
        return self.rng.choice(items)
