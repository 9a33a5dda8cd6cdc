"""The ledgers of a demo village: aid, disputes, honours, volunteers.

Sections of :class:`~station_desktop.services.demo.village.VillageRows`,
mixed into it; they use its row helpers and the persons it has drawn.
"""

from __future__ import annotations

from datetime import date, timedelta

from station_desktop.domain.enums import (
    AidState,
    CaseAction,
    CaseState,
    HonourKind,
    HonourState,
    Level,
    ReviewDecision,
    escalate_level,
    next_aid_state,
    next_case_state,
)
from station_desktop.services.demo.people import _name
from station_desktop.services.demo.rows import Row, _days, _iso, _yuan


class LedgerSections:
    """Aid applications, cases, honours and volunteers of :class:`VillageRows`."""

    def aid_(self) -> None:
        """Aid applications along 村 → 镇 → 县, with reviews and payments."""
        rng, today = self.rng, self.today
        aid_text = {
            "living": ("家庭收入低，生活困难", "长期失业，无稳定收入"),
            "medical": ("本人住院治疗，自付医疗费用较高", "配偶患重病，医疗支出大"),
            "education": ("子女考上大学，学费负担重", "两个孩子上学，家庭负担重"),
            "employment": ("失业在家，希望参加培训和推荐就业", ),
            "housing": ("房屋年久失修，雨季漏雨", ),
            "temporary": ("遭遇火灾，生活用品损毁", "突发疾病，临时生活困难", "暴雨致房屋受损"),
        }
        amounts = {"living": (1000, 5000), "medical": (2000, 10000), "education": (2000, 5000),
                   "employment": (1000, 3000), "housing": (3000, 20000), "temporary": (500, 3000)}
        # on file long enough for the whole review path to have run
        settled = [p for p in self.persons if self.registered(p) <= today - timedelta(days=60)]
        settled = settled or self.persons
        candidates = [p for p in settled if p["hardship"] or p["key_focus"]]
        others = [p for p in settled if not (p["hardship"] or p["key_focus"])] or settled
        count = max(8, round(len(self.persons) * 0.04 * self.years))
        town_reviewer = _name(rng, "M", 1978)
        county_reviewer = _name(rng, "F", 1982)
        plan = ["paid", "paid", "rejected", "village_reviewed", "town_reviewed", "approved",
                "withdrawn", "applied", "returned"]
        for i in range(count):
            pool = candidates if candidates and rng.random() < 0.75 else others
            p = pool[rng.randrange(len(pool))]
            aid_type = rng.choices(list(amounts), (30, 25, 15, 8, 7, 15))[0]
            fund = str(self.cat.get("aid_type", aid_type).data.get("default_fund", "other"))
            target = plan[i] if i < len(plan) else rng.choices(
                ("paid", "approved", "rejected", "withdrawn", "town_reviewed", "village_reviewed",
                 "applied", "returned"), (50, 8, 12, 4, 8, 8, 5, 5))[0]
            applied = _days(rng, max(self.start, self.registered(p)), today - timedelta(days=45))
            if target in ("applied", "village_reviewed"):
                applied = _days(rng, today - timedelta(days=20), today - timedelta(days=5))
            lo, hi = amounts[aid_type]
            requested = _yuan(rng, lo, hi)
            app = self.row(
                "aid_application", person_id=p["id"], aid_type=aid_type, fund=fund,
                hardship_kind=rng.choices(("general", "subsistence", "near_subsistence",
                                           "extreme_poverty"), (55, 20, 20, 5))[0],
                hardship_state="suspected", cause=rng.choice(aid_text[aid_type]),
                measures=rng.choice(("申请临时救助资金，定期回访", "协调医疗救助并跟踪治疗",
                                     "推荐公益性岗位", "联系帮扶责任人结对帮扶")),
                helper=self.operators[0][1], applied_on=applied.isoformat(),
                requested_fen=requested, state=AidState.APPLIED.value,
            )
            state = AidState.APPLIED
            day = applied
            steps: list[tuple[Level, ReviewDecision]] = []
            if target == "returned":  # 镇 sends it back once, then it goes through
                steps = [(Level.VILLAGE, ReviewDecision.APPROVE), (Level.TOWN, ReviewDecision.RETURN),
                         (Level.VILLAGE, ReviewDecision.APPROVE), (Level.TOWN, ReviewDecision.APPROVE),
                         (Level.COUNTY, ReviewDecision.APPROVE)]
            else:
                n_steps = {"applied": 0, "village_reviewed": 1, "town_reviewed": 2, "approved": 3,
                           "paid": 3, "withdrawn": rng.randint(0, 2)}.get(target)
                if target == "rejected":
                    at = rng.randint(0, 2)
                    steps = [(lv, ReviewDecision.APPROVE) for lv in list(Level)[:at]]
                    steps.append((list(Level)[at], ReviewDecision.REJECT))
                else:
                    steps = [(lv, ReviewDecision.APPROVE) for lv in list(Level)[:n_steps]]
            amount = requested
            for level, decision in steps:
                nxt = day + timedelta(days=rng.randint(2, 10))
                if nxt > today:
                    break
                day = nxt
                if level is Level.COUNTY and decision is ReviewDecision.APPROVE:
                    amount = min(requested, _yuan(rng, lo, hi))
                reviewer = {Level.VILLAGE: self.operators[0][1], Level.TOWN: town_reviewer,
                            Level.COUNTY: county_reviewer}[level]
                opinion = {
                    ReviewDecision.APPROVE: {
                        Level.VILLAGE: "经村两委入户核实，情况属实，同意上报。",
                        Level.TOWN: "经镇退役军人服务站复核，符合条件，同意报县审批。",
                        Level.COUNTY: f"同意救助{amount // 100}元。",
                    }[level],
                    ReviewDecision.REJECT: "经核查，家庭收入超过救助标准，不予救助。",
                    ReviewDecision.RETURN: "材料不全，请补充医疗费用票据和收入证明后重新上报。",
                }[decision]
                self.row("aid_review", application_id=app["id"], level=level.value,
                         decision=decision.value, reviewer=reviewer, reviewed_on=day.isoformat(),
                         opinion=opinion,
                         amount_fen=amount if decision is ReviewDecision.APPROVE else None)
                state = next_aid_state(state, level, decision)
                if level is Level.COUNTY and decision is ReviewDecision.APPROVE:
                    app["approved_fen"] = amount
            if target == "withdrawn":
                state = AidState.WITHDRAWN
            if state is AidState.APPROVED and target in ("paid", "returned"):
                paid_on = day + timedelta(days=rng.randint(3, 15))
                if paid_on <= today:
                    in_kind = rng.random() < 0.25
                    self.row("aid_payment", application_id=app["id"], person_id=p["id"],
                             paid_on=paid_on.isoformat(), amount_fen=app["approved_fen"],
                             in_kind_fen=_yuan(rng, 100, 500) if in_kind else 0,
                             in_kind="米、面、油等生活物资" if in_kind else None, fund=fund,
                             payer="县退役军人事务局", note="通过“一卡通”发放到本人账户")
                    state = AidState.PAID
            app["state"] = state.value
            app["hardship_state"] = {
                AidState.APPROVED: "confirmed", AidState.PAID: "confirmed",
                AidState.REJECTED: "not_hardship",
            }.get(state, "suspected")
            if state is AidState.PAID and day < today - timedelta(days=300) and rng.random() < 0.5:
                app["hardship_state"] = "lifted"

    def cases_(self) -> None:
        """Disputes and petitions: 小事不出村, some escalated, one repeat petition."""
        rng, today = self.rng, self.today
        contents = {
            "policy": "反映本人参战经历未纳入优待范围，要求落实相关待遇",
            "employment": "反映退役后安置工作未落实，要求协调解决",
            "hardship": "家庭生活困难，要求给予救助",
            "medical": "反映旧伤复发，医疗费用报销困难",
            "neighbour": "与邻居因宅基地边界发生纠纷",
            "family": "与子女因赡养问题产生矛盾",
            "land_property": "反映承包土地被占用，要求恢复",
            "other": "反映村道路灯损坏影响出行",
        }
        scenarios = ["closed_village", "escalated", "closed_town", "revisited", "overdue",
                     "assigned_down", "mediating", "registered"]
        count = max(len(scenarios), round(len(self.persons) * 0.02 * self.years))
        town_handler = _name(rng, "M", 1980)
        registrar = self.operators[0][1]
        cases: list[Row] = []
        for i in range(count):
            scenario = scenarios[i] if i < len(scenarios) else rng.choices(
                ("closed_village", "closed_town", "revisited", "escalated", "mediating"),
                (45, 15, 20, 10, 10))[0]
            p = self.persons[rng.randrange(len(self.persons))]
            case_type = rng.choice(list(contents))
            urgency = rng.choices(("normal", "urgent", "critical"), (80, 17, 3))[0]
            limit = {"normal": 30, "urgent": 15, "critical": 7}[urgency]
            if scenario == "registered":
                registered = today - timedelta(days=rng.randint(0, min(5, limit - 1)))
            elif scenario in ("overdue", "escalated", "mediating"):
                registered = today - timedelta(days=rng.randint(limit + 3, limit + 40))
                if scenario != "overdue":
                    registered = today - timedelta(days=rng.randint(3, limit - 1))
            else:
                registered = _days(rng, max(self.start, self.registered(p)), today - timedelta(days=60))
            parties = p["name"]
            if case_type in ("neighbour", "land_property"):
                parties = f"{p['name']}与{_name(rng, 'M', 1965)}"
            cases.append(self._case(p, scenario, case_type, urgency, registered, limit, parties,
                                    contents[case_type], registrar, town_handler, repeat=False))
        # a repeat petition: the same person comes back about a closed case
        first = next((c for c in cases if c["state"] == "closed"), None)
        if first is not None:
            again = date.fromisoformat(first["closed_on"]) + timedelta(days=rng.randint(20, 40))
            if again <= today:
                person = next(p for p in self.persons if p["id"] == first["person_id"])
                self._case(person, "escalated", first["case_type"], "urgent", again, 15,
                           first["parties"], "再次反映：" + first["content"], registrar,
                           town_handler, repeat=True)

    def _case(self, p: Row, scenario: str, case_type: str, urgency: str, registered: date,
              limit: int, parties: str, content: str, registrar: str, town_handler: str,
              *, repeat: bool) -> Row:
        rng, today = self.rng, self.today
        case = self.row(
            "dispute_case", person_id=p["id"], parties=parties, registrar=registrar,
            channel=rng.choices(("visit", "call", "screening", "online", "assigned", "letter"),
                                (35, 25, 20, 8, 8, 4))[0],
            case_type=case_type, urgency=urgency, registered_on=registered.isoformat(),
            deadline=(registered + timedelta(days=limit)).isoformat(), content=content,
            repeat_petition=int(repeat), level=Level.VILLAGE.value,
        )
        actions = {
            "registered": [CaseAction.REGISTER],
            "overdue": [CaseAction.REGISTER, CaseAction.MEDIATE],
            "mediating": [CaseAction.REGISTER, CaseAction.MEDIATE],
            "escalated": [CaseAction.REGISTER, CaseAction.MEDIATE, CaseAction.ESCALATE],
            "closed_village": [CaseAction.REGISTER, CaseAction.MEDIATE, CaseAction.CLOSE],
            "closed_town": [CaseAction.REGISTER, CaseAction.MEDIATE, CaseAction.ESCALATE,
                            CaseAction.MEDIATE, CaseAction.CLOSE],
            "revisited": [CaseAction.REGISTER, CaseAction.MEDIATE, CaseAction.CLOSE,
                          CaseAction.REVISIT],
            "assigned_down": [CaseAction.REGISTER, CaseAction.ESCALATE, CaseAction.ASSIGN_DOWN,
                              CaseAction.MEDIATE, CaseAction.CLOSE, CaseAction.REVISIT],
        }[scenario]
        notes = {
            CaseAction.REGISTER: "登记诉求，告知办理时限。",
            CaseAction.MEDIATE: "组织双方当面调解，讲解政策，做好思想疏导。",
            CaseAction.ESCALATE: "村级难以化解，上报镇退役军人服务站。",
            CaseAction.ASSIGN_DOWN: "镇服务站研究后下派村里牵头化解，镇里跟踪指导。",
            CaseAction.CLOSE: "双方达成一致，签订调解协议。",
            CaseAction.REVISIT: "回访当事人，协议已履行，无新的诉求。",
        }
        state: CaseState | None = None
        level = Level.VILLAGE
        day = registered
        last_day = today if scenario != "overdue" else min(today, registered + timedelta(days=limit - 1))
        for k, action in enumerate(actions):
            if k:
                gap = (rng.randint(10, 30) if action is CaseAction.REVISIT
                       else rng.randint(1, max(1, limit // 3)))
                nxt = day + timedelta(days=gap)
                if nxt > last_day:
                    break
                day = nxt
            from_level = level
            if action is CaseAction.ESCALATE:
                level = escalate_level(level)
            elif action is CaseAction.ASSIGN_DOWN:
                level = Level.VILLAGE
            state = next_case_state(state, action)
            handler = registrar if from_level is Level.VILLAGE and level is Level.VILLAGE else town_handler
            self.row("case_step", case_id=case["id"], step_on=day.isoformat(), action=action.value,
                     from_level=from_level.value, to_level=level.value, handler=handler,
                     note=notes[action])
            if action is CaseAction.CLOSE:
                case["closed_on"] = day.isoformat()
                case["resolved_level"] = level.value
                case["outcome"] = rng.choice((
                    "经调解双方达成协议，矛盾化解。", "协调落实相关待遇，当事人表示认可。",
                    "申请临时救助，解决了实际困难。", "讲清政策规定，当事人表示理解。",
                ))
                case["satisfaction"] = rng.choices("5431", (55, 35, 8, 2))[0]
        assert state is not None
        case["state"] = state.value
        case["level"] = level.value
        return case

    def honours_(self) -> None:
        """光荣牌 for most families, 喜报 for soldiers' families, recorded merits."""
        rng, today = self.rng, self.today
        eligible = [p for p in self.persons if self.cats(p)[0] != "civilian_retiree"]
        plaque_states = (("hung", 85), ("applied", 7), ("replaced", 5), ("cancelled", 3))
        for i, p in enumerate(eligible):
            if rng.random() > 0.85 and i >= 4:
                continue
            state = plaque_states[i][0] if i < 4 else rng.choices(
                [s for s, _ in plaque_states], [w for _, w in plaque_states])[0]
            reg = self.registered(p)
            if state == "applied":
                applied = _days(rng, max(reg, today - timedelta(days=60)), today)
                done = None
            else:
                applied = _days(rng, reg, max(reg, min(today, reg + timedelta(days=400))))
                done = min(today, applied + timedelta(days=rng.randint(10, 90)))
            self.row("honour", person_id=p["id"], kind=HonourKind.PLAQUE.value, title="光荣之家",
                     state=HonourState(state).value, applied_on=applied.isoformat(),
                     done_on=_iso(done), address=p["residence"],
                     award_unit="县退役军人事务局、县人武部",
                     feedback="牌子褪色，已更换新牌" if state == "replaced" else (
                         "人员迁出本村，注销" if state == "cancelled" else None))
        # 喜报 for families of serving soldiers: to_collect → to_deliver → delivered
        flow = ("to_collect", "to_deliver", "delivered")
        for i, (person_id, soldier) in enumerate(self.soldiers.items()):
            if i >= 3 and rng.random() < 0.6:
                continue
            state = flow[i] if i < 3 else rng.choices(flow, (15, 15, 70))[0]
            award = rng.choice(("荣立三等功", "被评为优秀士兵", "荣立二等功", "被评为“四有”优秀士兵"))
            arrived = today - timedelta(days=rng.randint(1, 10)) if state != "delivered" else _days(
                rng, self.start, today - timedelta(days=15))
            person = next(p for p in self.persons if p["id"] == person_id)
            self.row(
                "honour", person_id=person_id, kind=HonourKind.NOTICE.value,
                title=f"{soldier}同志{award}喜报",
                award_unit=f"中国人民解放军{rng.randint(31000, 96999)}部队",
                award_type=award.removeprefix("荣立").removeprefix("被评为"),
                awarded_on=(arrived - timedelta(days=rng.randint(20, 60))).isoformat(),
                state=state, applied_on=arrived.isoformat(),
                deadline=(arrived + timedelta(days=15)).isoformat(),
                done_on=_iso(arrived + timedelta(days=rng.randint(2, 12))) if state == "delivered" else None,
                address=person["residence"], recipient=person["name"],
                deliverer="、".join(n for _, n in self.operators) if state != "to_collect" else None,
                feedback="家属非常激动，表示将继续支持孩子在部队建功立业。" if state == "delivered" else None,
            )
        # merits recorded from the person's service file
        for p in self.persons:
            if p["awards"] and "功" in p["awards"] and p["enlist_date"]:
                award = "二等功" if "二等功" in p["awards"] else "三等功"
                self.row("honour", person_id=p["id"], kind=HonourKind.MERIT.value,
                         title=f"服役期间荣立个人{award}", award_unit=p["unit"], award_type=award,
                         awarded_on=_days(rng, date.fromisoformat(p["enlist_date"]),
                                          date.fromisoformat(p["discharge_date"])).isoformat(),
                         state=HonourState.RECORDED.value)

    def volunteers_(self) -> None:
        rng, today = self.rng, self.today
        founded = max(date(2019, 8, 1), self.start - timedelta(days=400))
        founded = min(founded, today - timedelta(days=60))
        fit = [p for p in self.persons if p["enlist_date"] and 25 <= self.age(p) <= 68]
        members = rng.sample(fit, min(len(fit), rng.randint(12, 18)))
        leader = next((p for p in members if p["village_role"]), members[0] if members else None)
        team = self.row("volunteer_team", name="张富清老兵志愿服务队",
                        organisation=f"{self.village}退役军人服务站",
                        leader=leader["name"] if leader else None, founded_on=founded.isoformat(),
                        note="学习张富清同志事迹，发挥老兵作用，服务乡村振兴。")
        member_rows = []
        for i, p in enumerate(members):
            joined = founded if i < 6 else _days(rng, founded, today - timedelta(days=30))
            left = None
            if i == len(members) - 1 and len(members) > 6:
                left = _days(rng, joined + timedelta(days=30), today)
            self.tags[p["id"]].append("volunteer")
            member_rows.append(self.row("volunteer_member", team_id=team["id"], person_id=p["id"],
                                        name=p["name"], phone=p["phone"],
                                        joined_on=joined.isoformat(), left_on=_iso(left)))
        titles = ("义务巡河护河", "走访慰问高龄老兵", "国防教育进校园", "防汛抢险值守", "清明祭扫烈士墓",
                  "村庄环境整治", "反诈宣传进农户", "帮助孤寡老人秋收", "森林防火巡查", "文明交通劝导")
        month = date(max(self.start, founded).year, max(self.start, founded).month, 1)
        while month <= today:
            if rng.random() < 0.75:
                held = month + timedelta(days=rng.randint(0, 27))
                if self.start <= held <= today:
                    title = rng.choice(titles)
                    act = self.row("volunteer_activity", team_id=team["id"], title=title,
                                   held_on=held.isoformat(),
                                   place=rng.choice((f"{self.village}", f"{self.village}小学",
                                                     "县烈士陵园", "村委会广场")),
                                   description=f"组织队员开展{title}活动。")
                    active = [m for m in member_rows if m["joined_on"] <= act["held_on"]
                              and (m["left_on"] is None or m["left_on"] > act["held_on"])]
                    for m in rng.sample(active, min(len(active), rng.randint(4, 10))):
                        self.row("volunteer_hours", activity_id=act["id"], member_id=m["id"],
                                 minutes=rng.choice((60, 90, 120, 180, 240, 300, 480)))
            month = (month + timedelta(days=32)).replace(day=1)
