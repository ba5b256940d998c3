"""文书 — Chinese prose for case files and petitions from the templates in ``templates.yaml``."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .profiles import package_yaml

_CLEAN = [(re.compile(r"[，。；]*。[，。；]*"), "。"), (re.compile(r"，[，；]+"), "，"), (re.compile(r"：。"), "：无。"),
          (re.compile(r"^。"), "")]


class _Safe(dict):
    def __missing__(self, key):
        return ""


def _fill(t: str, slots: dict) -> str:
    s = t.format_map(_Safe(slots))
    for pat, rep in _CLEAN:
        s = pat.sub(rep, s)
    return s


def cn_date(d: np.datetime64) -> str:
    y, m, dd = str(d)[:10].split("-")
    return f"{int(y)}年{int(m)}月{int(dd)}日"


class Writer:
    """Fills templates with a numpy Generator (one draw per choice, in a fixed order).

    ``phrasings``: the profile entry ``negation_phrasings`` (shares ``negated_without_unpaid``,
    ``affirmed_cue_words``; ``None`` = 0, 0). Its choices are drawn from a stream spawned off
    ``rng`` (:meth:`numpy.random.Generator.spawn`, which does not advance ``rng``), so with both
    shares 0 every document is what it was without them."""

    def __init__(self, rng: np.random.Generator, phrasings: dict | None = None):
        self.rng = rng
        self.t = package_yaml("templates.yaml")
        self.phrasings = {"negated_without_unpaid": 0.0, "affirmed_cue_words": 0.0, **(phrasings or {})}
        self.phr = rng.spawn(1)[0]

    # -- negation phrasings (templates.yaml negation_phrasings) -----------------------------
    def phrasing_kind(self, case: dict, v0: dict) -> str:
        """Which phrasing bank a case file takes: ``"negated"`` (a case that mentions settlement
        in negated form, written without any explicit 未赔偿-type word), ``"affirmed"`` (a settled
        case with an affirmation holding a cue character) or ``""`` (the ordinary templates)."""
        p = self.phrasings
        settled = self.settlement_status(case, v0) != "none"   # the first victim's, whom the file names
        if not settled and case["mention"]:
            return "negated" if self.phr.random() < float(p["negated_without_unpaid"]) else ""
        if settled:
            return "affirmed" if self.phr.random() < float(p["affirmed_cue_words"]) else ""
        return ""

    def rephrase(self, kind: str, slot: str, current: str, slots: dict, *, paid: bool = False,
                 minor: bool = False) -> str:
        """``current`` (the ordinary template's text for ``slot``), or — in a case file of phrasing
        ``kind`` (:meth:`phrasing_kind`) — a phrase of ``negation_phrasings`` for that slot: under
        ``"negated"`` every slot that has a ``negated_<slot>`` bank (an empty forgiveness, claim or
        answer stays empty); under ``"affirmed"`` the forgiveness, and the settlement of a paid case
        (``affirmed_settle_minor`` when the first victim is under 18)."""
        bank = self.t["negation_phrasings"]
        key = ""
        if kind == "negated" and f"negated_{slot}" in bank and (current or slot in ("settle", "comp")):
            key = f"negated_{slot}"
        elif kind == "affirmed" and slot == "forgive":
            key = "affirmed_forgive"
        elif kind == "affirmed" and slot == "settle" and paid:
            key = "affirmed_settle_minor" if minor else "affirmed_settle"
        if not key:
            return current
        return _fill(bank[key][int(self.phr.integers(0, len(bank[key])))], slots)

    def pick(self, options):
        if not options:
            return ""
        return options[int(self.rng.integers(0, len(options)))]

    def outcome(self, sev: str, grade: str, disability: str, loss: float) -> str:
        key = sev if sev in self.t["outcome"] else "财产"
        return _fill(self.pick(self.t["outcome"][key]), {"grade": grade, "disability": disability, "loss": f"{loss:.0f}"})

    def family(self, v: dict) -> str:
        f = self.t["family"]
        if v["sev"] == "死亡":
            key = "death"
        elif v["age"] < 18:
            key = "minor"
        elif v["sev"] == "伤残" and self.rng.random() < 0.6:
            key = "disabled"
        elif v["poor"] or v["hardship"] >= 2:
            key = "poor"
        elif v["age"] >= 60:
            key = "elderly"
        elif 20 <= v["age"] < 60 and v["sev"] in ("重伤", "伤残") and self.rng.random() < 0.5:
            key = "provider"
        else:
            key = "ordinary"
        return self.pick(f[key])

    @staticmethod
    def settlement_status(case: dict, v: dict) -> str:
        """和解 of one victim: ``"paid"`` (settled and paid), ``"unpaid"`` (settled on paper, the
        money not paid) or ``"none"``. The victim's own ``settled``/``settled_paid`` when the
        record has them (:func:`.outcomes.victim_settlement`), else the case's."""
        settled = bool(v["settled"]) if "settled" in v else bool(case["settled"])
        paid = bool(v["settled_paid"]) if "settled_paid" in v else bool(case["settled_paid"])
        return "paid" if paid else ("unpaid" if settled else "none")

    def _settle_texts(self, status: str, mention: bool, slots: dict) -> tuple[str, str]:
        """(settlement sentence, forgiveness sentence) for one victim's status."""
        t = self.t
        if status == "paid":
            settle, forgive = self.pick(t["settle_yes"]), self.pick(t["forgive_yes"])
        elif status == "unpaid":
            settle, forgive = self.pick(t["settle_unpaid"]), self.pick(t["forgive_yes"])
        elif mention:
            settle = self.pick(t["settle_no"])
            forgive = self.pick(t["forgive_no"]) if self.rng.random() < 0.6 else ""
        else:  # the file never mentions settlement or forgiveness
            settle, forgive = self.pick(t["silent_settle"]), ""
        return _fill(settle, slots), _fill(forgive, slots)

    def case_documents(self, case: dict, victims: list[dict]) -> list[tuple[str, str]]:
        """(doc_type, text) pairs for one criminal case file.

        Settlement is per victim (:meth:`settlement_status`): the head documents, the 讯问笔录,
        the 起诉书 and the 刑事判决书 tell the first victim's (they name him); each victim's
        询问笔录 tells his own; each settled victim gets his own 和解协议书 (and often a 谅解书)
        naming him and the 近亲属 who act for him (``v["kin"]``). An unpaid settlement says so
        (未履行, 至今未支付, 分文未得)."""
        t, docs = self.t, []
        v0 = victims[0]
        amount = f"{case['amount']:.0f}"
        slots = {"county": case["county_name"], "suspect": case["suspect"], "charge": case["charge"],
                 "date": case["date"], "place": case["place"], "amount": amount, "years": int(self.rng.integers(1, 11))}
        status = {id(v): self.settlement_status(case, v) for v in victims}
        s0 = status[id(v0)]
        kind = self.phrasing_kind(case, v0)   # negation phrasings (templates.yaml negation_phrasings)

        def kind_of(v):
            """The case file's phrasing for victim ``v``: negated phrasings speak for victims who
            got nothing, affirmed ones for victims who settled."""
            sv = status[id(v)]
            return kind if (kind == "negated") == (sv == "none") else ""

        texts: dict[int, tuple[str, str]] = {}

        def settle_of(v):
            if id(v) not in texts:
                settle, forgive = self._settle_texts(status[id(v)], case["mention"], slots)
                k = kind_of(v)
                settle = self.rephrase(k, "settle", settle, slots, paid=status[id(v)] == "paid", minor=v["age"] < 18)
                texts[id(v)] = (settle, self.rephrase(k, "forgive", forgive, slots))
            return texts[id(v)]

        settle, forgive = settle_of(v0)

        outcomes: dict[int, str] = {}
        tmpl = self.pick(t["incident"][case["charge"]])

        def incident(v):
            key = id(v)
            if key not in outcomes:
                outcomes[key] = self.outcome(v["sev"], v["grade"], v["disability"], v["loss"])
            return _fill(tmpl, {**slots, "victim": v["name"], "loss": f"{v['loss']:.0f}", "outcome": outcomes[key]})

        inc0 = incident(v0)
        base = {**slots, "victim": v0["name"], "incident": inc0, "settle": settle, "forgive": forgive,
                "family": self.family(v0), "comp": self.pick(t["comp_none"]) if s0 == "none" else ""}
        base["comp"] = self.rephrase(kind_of(v0), "comp", base["comp"], slots)
        head = "提请批准逮捕书" if case["stage"] == "审查逮捕" else "起诉意见书"
        docs.append((head, _fill(self.pick(t["documents"][head]), base)))
        comp_key = {"paid": "paid", "unpaid": "settled_unpaid", "none": "unpaid"}
        for v in victims[:12]:
            sv = status[id(v)]
            forgive_key = "affirm" if sv != "none" else ("refuse" if case["mention"] else "silent")
            vs = {**base, "victim": v["name"], "age": int(v["age"]), "sex": "男" if v["male"] else "女",
                  "incident": incident(v), "family": self.family(v), "forgive": settle_of(v)[1],
                  "victim_comp": _fill(self.pick(t["victim_comp"][comp_key[sv]]), slots),
                  "victim_forgive": self.pick(t["victim_forgive"][forgive_key])}
            for slot in ("victim_comp", "victim_forgive"):
                vs[slot] = self.rephrase(kind_of(v), slot, vs[slot], slots)
            vs["forgive_qa"] = f"问：你是否谅解对方？答：{vs['victim_forgive']}。" if forgive_key != "silent" else \
                f"问：你还有什么要求？答：{vs['victim_forgive']}。"
            docs.append(("询问笔录", _fill(self.pick(t["documents"]["询问笔录"]), vs)))
            if v["sev"] in ("轻微伤", "轻伤", "重伤", "伤残", "死亡"):
                if v["sev"] == "死亡":
                    appraisal = "系被他人" + ("驾车撞击" if "交通" in case["charge"] else "伤害") + "致死亡"
                elif v["sev"] == "伤残":
                    appraisal = f"的损伤程度为{v['grade']}，伤残等级评定为{v['disability']}伤残，丧失劳动能力"
                else:
                    appraisal = f"的损伤程度为{v['grade']}"
                docs.append(("鉴定意见书", _fill(self.pick(t["documents"]["鉴定意见书"]), {**vs, "appraisal": appraisal})))
        if case["charge"] == "交通肇事罪":
            fv = v0["fault"] or "无责任"
            fs = {"无责任": "全部责任", "次要责任": "主要责任", "同等责任": "同等责任"}.get(fv, "次要责任")
            docs.append(("道路交通事故认定书", _fill(self.pick(t["documents"]["道路交通事故认定书"]),
                                              {**base, "fault_suspect": fs, "fault_victim": fv,
                                               "fault_victim_text": "无责任" if fv == "无责任" else f"负事故{fv}"})))
        paid_key = "paid" if s0 == "paid" else "unpaid"
        interrogation = self.pick(t["documents"]["讯问笔录"])
        qs = {**base, "verb": "骗" if case["charge"] == "诈骗罪" else "伤害",
              "claim": _fill(self.pick(t["claim_paid"]), slots) if (s0 != "paid" and self.rng.random() < 0.2) else "",
              "suspect_comp": _fill(self.pick(t["suspect_comp"][paid_key]), slots)}
        for slot in ("claim", "suspect_comp"):
            qs[slot] = self.rephrase(kind_of(v0), slot, qs[slot], slots)
        docs.append(("讯问笔录", _fill(interrogation, qs)))
        for v in victims:
            if status[id(v)] == "none":
                continue
            kin = v.get("kin")
            kin = [k for k in kin if k] if isinstance(kin, (list, tuple, np.ndarray)) else []
            party = f"{v['name']}（近亲属{'、'.join(kin)}）" if kin else v["name"]
            sv = {**base, "victim": v["name"], "party": party, "incident": incident(v), "settle": settle_of(v)[0]}
            docs.append(("和解协议书", _fill(self.pick(t["documents"]["和解协议书"]), sv)))
            if self.rng.random() < 0.7:
                docs.append(("谅解书", _fill(self.pick(t["documents"]["谅解书"]), sv)))
        if case["has_judgment"]:
            docs.append(("起诉书", _fill(self.pick(t["documents"]["起诉书"]), base)))
            award_text = f"，被告人赔偿附带民事诉讼原告人经济损失共计{case['award']:.0f}元" if case["award"] > 0 else ""
            jkey = {"paid": "settled", "unpaid": "settled_unpaid"}.get(s0, "unsettled" if case["mention"] else "silent")
            jc = self.rephrase(kind_of(v0), "judgment_comp", self.pick(t["judgment_comp"][jkey]), slots)
            docs.append(("刑事判决书", _fill(self.pick(t["documents"]["刑事判决书"]),
                                         {**base, "judgment_comp": jc, "award_text": award_text})))
        return docs

    def petition(self, p: dict) -> str:
        t = self.t
        hard = self.pick(t["hardship_text"][int(p["hardship"])])
        return _fill(self.pick(t["petition"][p["situation"]]), {
            "name": p["name"], "date": p.get("date", ""), "relation": p.get("relation", "本人"),
            "charge_text": p.get("charge_text", ""), "harm_text": p.get("harm_text", ""),
            "award": f"{p.get('award', 0):.0f}", "hardship_text": hard})

    def enforcement_note(self, closure: str, flawed: bool) -> str:
        e = self.t["enforcement_note"]
        key = {"执行完毕": "paid", "未结": "open", "终结执行": "ended"}.get(closure, "flawed" if flawed else "full")
        return self.pick(e[key])


HARM_TEXT = {"轻微伤": "被人打伤", "轻伤": "被人打伤", "重伤": "被人打成重伤", "伤残": "受伤致残、丧失劳动能力",
             "死亡": "在案件中死亡", "财产": "被骗走多年积蓄", "扶养": "长期得不到扶养费用"}


def petition_texts(rng, rows: pd.DataFrame) -> list[str]:
    w = Writer(rng)
    return [w.petition(r) for r in rows.to_dict("records")]
