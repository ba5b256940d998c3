"""Build the report notebooks (``python notebooks/_build.py``).

The ``.ipynb`` files are generated from this script so that their common parts (parameters,
set-up, funnel, clues, evaluation, summary) stay identical, and committed without outputs or
execution counts. Edit here, re-run, commit both. Notebooks hold no function or class
definitions: everything they compute comes from ``jiuzhu_methods.report`` and
``jiuzhu_methods.plotting``.
"""
from __future__ import annotations

from pathlib import Path

from _nbcells import code, md, write_notebook

HERE = Path(__file__).resolve().parent

COUNTY_ZH = {"guanyun": "灌云", "yueqing": "乐清", "panan": "磐安", "shanxian": "单县", "weidu": "魏都"}


LINKAGE_NOTE = {
    "id": '# linkage: "id" = published reading, identity number only; or "id+name", "fallback"',
    "id+name": '# linkage: "id+name" = published reading (两个比对点: name and identity number); or "id", "fallback"',
}


def parameters(county: str, extra: str = "", *, linkage: str = "id") -> object:
    """The tagged parameters cell; ``linkage`` is the published reading of the notebook's model."""
    return code(f'''
# Parameters: papermill replaces these values; `jiuzhu run` passes county, seed, scale, data_dir, out_dir.
# county: guanyun, yueqing, panan, shanxian or weidu (any notebook runs on any county)
# scale: fraction of the real population, 1 = real size
# data_dir: pool folder written by `jiuzhu synth`; empty = generate the pool in memory
{LINKAGE_NOTE[linkage]}
county = "{county}"
seed = 7
scale = 0.02
data_dir = ""
out_dir = "."
linkage = "{linkage}"
{extra}'''.rstrip() + "\n", tags=["parameters"])


SETUP = '''
from IPython.display import Markdown, display
import matplotlib.pyplot as plt

from jiuzhu_methods import plotting, report

plotting.setup_fonts()   # Chinese chart labels (English, with one warning, if no CJK font exists)
report.display_options()
pool = report.load_pool(county, data_dir or None, scale=scale, seed=seed)
display(Markdown(f"**县 county**: {pool.meta.get('county_name', pool.meta.get('county', county))} "
                 f"(`{pool.meta.get('county_code', '')}`), **scale** {scale}, **seed** {seed}"))
display(report.pool_overview(pool))
'''

ABOUT_AID = """
### 背景：什么是国家司法救助 / Background

**国家司法救助**是国家对遭受犯罪侵害或民事侵权、**无法通过诉讼获得有效赔偿**、**生活面临急迫困难**的当事人
给予的辅助性救济，由检察院（控告申诉检察部门）、法院、公安机关在办案中开展，一般一次性发放，
金额一般不超过当地上一年度职工月平均工资的 36 个月总额。难点在于“找人”：被害人往往不知道可以申请，
办案人员也不掌握其家庭是否因案致困。大数据模型把**案件数据**（谁受了损害、有没有得到赔偿）与
**救助名单**（低保、残疾人、困境儿童……谁生活困难）碰撞，**变被动申请为主动救助**。

*State judicial aid* is one-off help for victims who cannot get compensation through the courts and are in
hardship because of the case. The models below collide case data with welfare registries to find them.

本报告中的数据是**合成数据**（synthetic county），其“真相”已知，因此可以计算模型的精确率与召回率；
报告中所有身份证号与姓名均已**脱敏**（如 `3303**********123X`、`张**`）。
"""

READ_FUNNEL = """
**怎样读漏斗图 / How to read the funnel.** 每根横条是某一步之后**剩下的人数**（第 0 条是第一步读入的记录数）。
横条突然变短的地方，就是规则起作用（或数据缺失）的地方：例如某份名单为空，交集就会变成 0。
最后一条是交给人工核查的线索数，也就是办案人员的**核查工作量**。
*What to do:* 某一步剔除得异常多或异常少时，先核对该步读取的数据是否齐全（名单月份、身份证号质量），再判断规则本身。
"""

READ_CLUES = """
**线索清单 / The clues.** 每行一名人员（按有效身份证号去重），`rule_path` 记录该线索经过的步骤与分支，
`match` 说明如何匹配（`id` 为身份证号精确匹配；其他方式置信度较低，需要重点核实），
`recommended_agencies` 是建议推送的职能部门。身份信息已脱敏。
*What to do:* 线索不是结论——每条都要人工核查（调阅卷宗、走访、网格员核实）后才能决定救助。
"""

READ_EVAL = """
**与真相对比 / Evaluation against the truth.** 合成县的“真相”表记录了每个受害人是否真正符合救助条件。
**精确率**（precision）= 线索中真正符合条件的比例：低则核查中“白跑”的多；
**召回率**（recall）= 符合条件的人中被模型找到的比例：低则有人被漏掉；
**工作量**（workload）= 需要人工核查的线索数。真实数据没有真相表，这一节只在合成数据上存在。
*What to do:* 召回率低时，检查身份证号质量和名单覆盖（可试 `linkage="fallback"`）；精确率低时，检查剔除规则是否过宽。
"""

READ_PATHS = """
**规则路径 / Rule paths.** 同一模型可能有多个分支（如不同的碰撞、不同的名单组）；这里统计每条路径产生了多少线索，
便于判断线索主要来自哪条规则。
"""

LISTS = '''
# further published lists of this model (masked)
display(report.list_sizes(res.lists))
for key in report.frame_lists(res.lists):
    display(Markdown(f"#### {key}"))
    display(report.show_list(res.lists, key, n=10))
'''


def model_block(var: str, name: str, params: str, title: str) -> list:
    """Run one model, headline, funnel chart + table, clues, rule paths, evaluation."""
    return [
        code(f'''
{var} = report.run("{name}", pool, {params})
ev_{var} = report.evaluate_result({var}, pool)
display(Markdown(report.headline({{"{name}": {var}}}, {{"{name}": ev_{var}}})))
'''),
        md(f"#### {title}：漏斗 / funnel"),
        code(f'''
plotting.funnel_chart({var}.funnel, title=plotting.zh_en("{title} 筛查漏斗", "{name} screening funnel"))
plt.show()
display(report.funnel_table({var}.funnel))
'''),
        md(READ_FUNNEL),
        md(f"#### {title}：线索 / clues (masked)"),
        code(f"display(report.show_clues({var}.clues, n=15))"),
        md(READ_CLUES),
        code(f"display(report.rule_paths({var}.clues))"),
    ]


def evaluation_block(names_vars: list[tuple[str, str]]) -> list:
    d = ", ".join(f'"{n}": ev_{v}' for n, v in names_vars)
    return [
        md("### 评估 / Evaluation against the hidden truth"),
        code(f'''
evals = {{{d}}}
display(report.evaluation_table(evals))
if report.evaluation_records(evals):
    plotting.precision_recall_chart(report.evaluation_records(evals))
    plt.show()
'''),
        md(READ_EVAL),
    ]


def summary_cell(stem: str, title: str, names_vars: list[tuple[str, str]], extra: str = "") -> object:
    runs = ", ".join(f'"{n}": report.run_summary({v}, ev_{v})' for n, v in names_vars)
    return code(f'''
# one-line summary for reports/index.html (read by `jiuzhu run`)
summary_file = report.write_summary(out_dir, "{stem}", title="{title}", county=county,
                     runs={{{runs}}}{extra})
''')


# --------------------------------------------------------------------------- 00
def nb_00():
    cells = [
        md("""
# 合成县：数据池是什么样的 / A synthetic county and its data pool

本笔记本生成（或读取）一个**合成县**的数据池，并描述它：人口、救助名单、办案系统和噪声。
后面五个笔记本里的模型读的都是这样一个数据池——与试点检察院从各系统导出的真实数据同一结构，
只是人是虚构的，而且每个人的“真相”（是否因案致困、是否已获赔偿、是否符合救助条件）另存一处，模型看不到。

This notebook generates (or reads) one synthetic county and describes it: population, assistance
registries, case systems and noise. Models never read the hidden truth; the evaluation does.
"""),
        parameters("guanyun"),
        code(SETUP),
        md("""
## 1. 元数据 / Metadata
县名、区划代码、随机种子、规模与参考日期。区划代码（6 位）也是本地户籍身份证号的前 6 位，
乐清模型4用它区分本地与外地人员。
"""),
        code("display(report.meta_table(pool))"),
        md("""
## 2. 人口与真相 / Population and the hidden truth
真相表只存在于合成数据中：`truth_persons` 是全部人口，`truth_victims` 是每一个受害事件的受害人，
记录其是否已获赔偿、是否和解、困难程度、是否已获救助、是否符合司法救助 / 社会救助条件。
下表按损害类型统计；这是评估各模型召回率的分母来源。
"""),
        code('''
if pool.has_truth:
    persons = pool.truth.get("truth_persons")
    display(Markdown(f"人口 persons: **{0 if persons is None else len(persons):,}**"))
    display(report.counts(persons, "hardship", label="困难程度 hardship (0 无 … 3 急迫)"))
    display(report.truth_overview(pool))
else:
    display(Markdown("This pool has no truth tables (real data)."))
'''),
        md("""
## 3. 救助名单 / Assistance registries
民政、残联、总工会、医保、妇联、乡村振兴等部门的名单，按月快照。“人数”按有效身份证号去重；
部分名单（尤其是基层治理四平台的**网格困难群体**）常缺身份证号，只能用姓名加电话、住址匹配。
"""),
        code('''
reg = report.registry_overview(pool)
display(reg)
if len(reg):
    plotting.bar_chart(reg.set_index("名单 registry")["人数 persons"],
                       title=plotting.zh_en("各名单人数（有效身份证号去重）", "persons per registry (valid IDs)"))
    plt.show()
'''),
        md("""
**怎样读 / How to read.** 横条越长名单越大。某份名单为空或很小，使用它的模型步骤就会找不到人——
在真实试点中，这通常意味着数据共享协议还没覆盖该部门。
"""),
        md("""
## 4. 办案系统 / Case systems
检察业务应用系统（案件、当事人、数字卷宗文书）、信访系统、司法救助案件、法院裁判与执行。
"""),
        code('''
display(report.counts(pool["proc_cases"], "business", label="业务类别 business"))
display(report.counts(pool["proc_cases"], "charge", label="罪名/案由 charge").head(15))
display(report.counts(pool["proc_parties"], "role", label="诉讼地位 role"))
display(report.counts(pool["court_enforcements"], "closure", label="执行结案方式 closure"))
display(report.counts(pool["judicial_aid"], "status", label="司法救助状态 status"))
display(report.counts(pool["social_aid"], "aid_type", label="社会救助类型 aid type"))
'''),
        code('''
charges = report.counts(pool["proc_cases"], "charge", label="charge").head(12)
if len(charges):
    plotting.bar_chart(charges.set_index("charge")["数量 n"],
                       title=plotting.zh_en("检察案件按罪名/案由", "procuratorate cases by charge"))
    plt.show()
'''),
        md("""
## 5. 噪声：身份证号质量 / Noise: identity numbers
真实数据里的身份证号会缺失、是 15 位旧号、小写 x、全角字符、夹空格，或者干脆录错（校验码错误）。
模型只用**有效**号码精确碰撞（公布的做法）；“需规范化”一列是经过规范化（全角转半角、去空格、15 位升 18 位）才有效的号码。
*What to do:* 缺失与错误比例高的表，是漏报（召回率低）的主要来源；在真实试点中应推动源头系统校验。
"""),
        code('''
q = report.id_quality(pool)
display(q)
if len(q):
    plotting.grouped_bar_chart(report.id_quality_shares(q),
                               title=plotting.zh_en("身份证号问题（占该表记录的百分比）", "identity-number problems, % of rows"),
                               ylabel=plotting.zh_en("占记录 %", "% of rows"), stacked=True)
    plt.show()
'''),
        md("""
## 6. 样例记录（已脱敏）/ Sample records (masked)
"""),
        code('''
display(report.mask_frame(pool["proc_parties"].head(8)))
display(report.mask_frame(pool["registries"].head(8)))
'''),
        code('''
# one-line summary for reports/index.html (read by `jiuzhu run`)
summary_file = report.write_summary(out_dir, "00_synthetic_county", title="合成县数据池 synthetic county", county=county,
                     n_persons=int(len(pool.truth["truth_persons"])) if "truth_persons" in pool.truth else 0,
                     n_cases=int(len(pool["proc_cases"])), n_registry_rows=int(len(pool["registries"])))
'''),
    ]
    return cells


# --------------------------------------------------------------------------- 01 灌云
def nb_01():
    nv = [("guanyun.screen", "screen"), ("guanyun.amount", "amount")]
    cells = [
        md("""
# 案例一 灌云：一池一制一标准多循环 / Guanyun: one pool, one mechanism, one standard, many cycles

江苏省灌云县人民检察院在 12309 检察服务中心建立“司法救助服务乡村振兴实体化工作平台”，
把低保、低收入户、困境儿童、残疾人、困难职工、医疗救助对象、困难妇女等名单每月汇入**数据池**（一池），
与民政、残联等 20 个单位会签衔接机制（一制），制定《司法救助资金分类量化标准实施细则》（一标准），
并把救助信息推送给相关部门、定期复查（多循环）。两个模型：**模型一 筛选救助对象**，**模型二 测算救助金额**。
"""),
        md(ABOUT_AID),
        parameters("guanyun"),
        code(SETUP),
        md("""
## 模型一：筛选救助对象 / Model 1: find the persons to aid

**适用对象**（原文）：“主要用于因刑事案件或因交通事故等民事侵权案件致伤致残的人身损害类案件，因案造成重大财产损失类案件，
涉赡养费、抚养费、抚育费等弱势群体扶养类案件及涉法涉诉信访类案件等五大案件类型的被害人及其近亲属或申诉人。”

**研判规则**（原文）：
1. 研判规则一：“案件发生后，被害人无法通过诉讼获得有效赔偿”——没有执行完毕、没有和解赔偿；
2. 研判规则二：“被害人因案致困，生活面临急迫困难”——在困难名单上，或案情本身（死亡、重伤、残疾）；
3. 研判规则三：“其他司法机关未开展司法救助”——与所有机关“决定救助”的司法救助案件做差集。

平台**检索不到**、但符合规则一和规则三的人，另列一份清单，向职能部门制发《社会救助建议函》。
"""),
        *model_block("screen", "guanyun.screen", "linkage=linkage", "模型一 筛选救助对象"),
        md("""
### 社会救助建议函与其他清单 / Letters of suggestion and other lists
“对于平台未能检索到的因案致困相关人员……同步向相关职能部门制发《社会救助建议函》，建议采取纳入低保……等长期帮扶措施。”
*What to do:* 这份清单上的人不在任何名单里，需要走访核实后由民政、乡村振兴等部门纳入帮扶。
"""),
        code(LISTS.replace("res.", "screen.")),
        md("""
## 模型二：测算救助金额 / Model 2: compute the aid amount

原文公式：
- “救助基本金额 = 救助基准金额 ×（案件类型系数 + 生活困难系数）”，生活困难系数分 1–5、5–10、10–15 倍三档；
- 追加金额：“重点优抚、困境儿童、残疾人（1–2 级）……增加 5–10 倍救助基准金额”；“困难妇女、困难职工、医疗救助对象、残疾人（3–4 级）……增加 1–5 倍”；
- “最终实际救助金额 =（基本金额 + 追加金额）× 过错系数”；另受法定上限约束：一般不超过上一年度职工月平均工资的 36 个月总额。

公布的效果：“同类案件救助金额上下幅度不超过 30%”，解决“同案不同助”。下图检验这一点。

模型二的救助对象就是模型一的线索：`screen=screen` 把上面的结果交给模型二，不再重跑一遍模型一
（结果与重跑相同）。/ Model 2's recipients are model 1's clues: `screen=screen` hands over the result
above instead of running the screen again (same output).
"""),
        *model_block("amount", "guanyun.amount", "linkage=linkage, screen=screen", "模型二 测算救助金额"),
        md("### 各类案件的金额与 ±30% 区间 / Amounts by class with the ±30% band"),
        code('''
amounts = report.amount_frame(amount.clues)
bands = report.amount_bands(amounts, by="class", amount="amount")
display(bands)
if len(bands):
    plotting.amount_band_chart(amounts, bands)
    plt.show()
display(report.amount_spread(amount, pool))
'''),
        md("""
**怎样读 / How to read.** 每个点是一名救助对象的测算金额；“类”= 案件类型 × 生活困难档次；横线是该类金额的中位数，阴影是 ±30% 区间。
点落在区间外，说明同类案件之间的差距超过了公布的幅度——通常来自追加系数（如一二级残疾人）或上限。
`within_share` 是区间内的比例。最后一张表把模型二的测算与本县以往的救助金额（标准出台前，按同样的类别划分）对比：
以往金额在类内偏离越大，就越说明存在“同案不同助”。*What to do:* 区间外的点逐个看系数构成，确认差别有案情依据，而不是“同案不同助”。
"""),
        code(LISTS.replace("res.", "amount.")),
        *evaluation_block(nv),
        md("""
## 多循环 / Follow-up
灌云的平台每月复查救助对象是否仍然困难，并把需求推送给乡村振兴、民政、教育、残联等部门。
上面线索表中的 `recommended_agencies` 就是推送对象；转介网络的覆盖情况在后续的转介网络笔记本中分析。
"""),
        summary_cell("01_guanyun", "灌云 一池一制一标准多循环", nv),
    ]
    return cells


# --------------------------------------------------------------------------- 02 乐清
def nb_02():
    nv = [("yueqing.m1", "m1"), ("yueqing.m2", "m2"), ("yueqing.m3", "m3"), ("yueqing.m4", "m4")]
    cells = [
        md("""
# 案例二 乐清：多元联动司法救助 / Yueqing: four models linking judicial and social aid

乐清市人民检察院分析 2016–2021 年的 115 件救助案件，发现 80% 涉及故意伤害、交通肇事，
且交通事故民事案件中“因赔偿款无法执行到位而致生活陷入困境的情形大量存在”。模型着重筛查
“**人身受到伤害、未获赔偿、生活困难**”三个关键点，并做**反向筛查**：已获司法救助但尚未获得社会救助的人。
四个模型：模型1（检察环节）、模型2（审判执行环节）、模型3（社会救助对象中的司法救助线索）、模型4（司法救助对象中的社会救助线索）。
"""),
        md(ABOUT_AID),
        parameters("yueqing", '# negation: "plain" = published substring rule; "aware" keeps 未赔偿, 不予谅解 and similar\n# county_code: 模型4 local code; empty = the county code of the pool\nnegation = "plain"\ncounty_code = ""'),
        code(SETUP),
        md("""
## 模型1：审查逮捕、审查起诉环节未获赔偿的被害人

- 第一步：“筛选出涉及故意伤害、交通肇事类的审查逮捕、审查起诉文书信息”；
- 第二步：“剔除包含‘调解协议’‘已赔偿’‘谅解’等内容的文书，形成未获赔偿被害人数据”——公布的做法是**字面包含**这三个词，
  因此“未达成调解协议”“不予谅解”也会被剔除；参数 `negation="aware"` 保留这类否定表述的被害人；
  参数 `exclusion="content"` 把“等内容”读作内容，另外剔除记载了支付、原谅、和解等内容而不含这三个词的文书（词表见
  `data/models/yueqing.yaml` 的 `content_words`）；
- 第三步：“与乐清市低保低边户数据、乡镇街困难弱势群体数据取交集”；
- 第四步：“人工核查，确定司法救助对象”。
"""),
        *model_block("m1", "yueqing.m1", "linkage=linkage, negation=negation", "模型1"),
        md("""
### 第二步的几种读法 / Step 2 read three ways
第二步按原文“剔除包含‘调解协议’‘已赔偿’‘谅解’等内容的文书”。**plain（公布）**只看这三个词是否字面出现；
**content（内容）**把“等内容”读作内容：记载了“一次性支付”“原谅”“和解协议”等而不含这三个词的文书（如一份刑事和解协议书）
同样说明被害人已获赔偿或谅解，也剔除——剔除的人**更多**；**aware（否定感知）**仍用三个词，但“未达成调解协议”“拒不赔偿”
“不予谅解”这类**恰恰说明没有获赔**的表述不算——剔除的人**更少**。两者可以叠加（aware + content）。
下面把几种读法并排：每一步剩下的人数，以及对照真相的精确率与召回率。
*What to do:* 若否定感知读法召回率明显更高而精确率不降，说明字面规则漏掉了真正需要救助的人；若 content 读法精确率更高而召回率不降，
说明字面规则留下了已获赔偿的人。合成县的和解文书总含三个原词之一，content 在这里可能与公布读法相同，差别在真实卷宗里才显出。
"""),
        code('''
m1_variants = {
    "plain（公布）": report.run("yueqing.m1", pool, linkage=linkage, negation="plain"),
    "content（等内容）": report.run("yueqing.m1", pool, linkage=linkage, exclusion="content"),
    "aware（否定感知）": report.run("yueqing.m1", pool, linkage=linkage, negation="aware"),
    "aware + content": report.run("yueqing.m1", pool, linkage=linkage, negation="aware", exclusion="content"),
}
variants = {k: report.evaluate_result(v, pool) for k, v in m1_variants.items()}
display(report.variant_funnels(m1_variants))
display(report.evaluation_table(variants))
if report.evaluation_records(variants):
    plotting.precision_recall_chart(report.evaluation_records(variants),
                                    title=plotting.zh_en("模型1：第二步的几种读法", "model 1: readings of step 2"))
    plt.show()
'''),
        md("""
## 模型2：无法通过诉讼获得赔偿的当事人

- 第一步：故意伤害、交通肇事的刑事判决与交通事故民事判决中的受害人；
- 第二步：“终结执行、终止本次执行的执行文书……提取出申请执行人”；
- 第三步：两者取交集，“得到可能存在未获赔偿的情形”；
- 第四步：与低保低边户、困难群体数据比对；第五步：人工核查。
"""),
        *model_block("m2", "yueqing.m2", "linkage=linkage", "模型2"),
        md("""
## 模型3：已开展社会救助的人员是否符合司法救助

“将社会大救助服务中心已开展救助人员数据与前两个模型中排查出的未获赔偿受害人数据进行匹配分析”，再人工核查。
"""),
        *model_block("m3", "yueqing.m3", "linkage=linkage, negation=negation", "模型3"),
        md("""
## 模型4：司法救助后可进一步开展社会救助的人员

第一、二步分别取已获司法救助和已获社会救助的人员，第三步做**差集**（司法救助 − 社会救助），第四步人工审查，
第五步按“户籍地乐清”“乐清籍人员身份证号前缀数字”区分**本地与外地**人员，分别建议社会救助中心开展对应措施
（外地人员需转其户籍地民政部门）。模型4找的是**社会救助**线索，评估的“真相”相应是社会救助条件。
"""),
        *model_block("m4", "yueqing.m4", "linkage=linkage, county_code=county_code", "模型4"),
        md("### 四个模型并列：本地与外地 / Models 1–4 side by side, local vs non-local"),
        code('''
side = report.side_by_side({"模型1": m1, "模型2": m2, "模型3": m3, "模型4": m4}, "local",
                           labels={True: "本地", False: "外地"})
display(side)
plotting.grouped_bar_chart(side, title=plotting.zh_en("乐清四个模型的线索数（本地/外地）", "clues per model, local vs non-local"),
                           stacked=True)
plt.show()
display(report.counts(m4.clues, "measures", label="模型4 建议措施 measures", split="、"))
'''),
        md("""
**怎样读 / How to read.** 每根柱是一个模型的线索数；模型4 区分本地（户籍或身份证号前缀为本县）与外地。
模型1–3 不做本地区分，整根柱记为“全部”。*What to do:* 外地线索要通过对方户籍地的民政部门落实社会救助，
本地线索直接推送社会大救助服务中心。
"""),
        *evaluation_block(nv),
        summary_cell("02_yueqing", "乐清 多元联动 模型1–4", nv),
    ]
    return cells


# --------------------------------------------------------------------------- 03 磐安
def nb_03():
    nv = [("panan.screen", "res")]
    cells = [
        md("""
# 案例三 磐安：司法救助“一件事”平台 / Pan'an: the one-stop judicial aid platform

磐安县人民检察院的平台构建了**智能筛查、分级救助、社会帮扶、监督治理**四个场景。
“根据罪名不同设置 8 个分析模型”，“梳理 6 类 62 个关键词或近似词”，通过 OCR 抓取数字卷宗中的关键词，
“以判定树实现数据建模”，与重点困难群体数据碰撞，“对救助需求进行‘红、橙、黄’三色分级预警”。
"""),
        md(ABOUT_AID),
        parameters("panan", '# negation: keyword matching, "plain" = published, or "aware"\nnegation = "plain"'),
        code(SETUP),
        md("""
## 智能筛查 / Screening
以数字卷宗为基础，按罪名（如诈骗、故意杀人、故意伤害、交通肇事、强奸……）分模型，
在文书中匹配 6 类关键词，再与重点困难群体名单比对，用判定树给每名被害人一个预警等级。
"""),
        *model_block("res", "panan.screen", "linkage=linkage, negation=negation", "磐安 智能筛查"),
        md("""
## 红橙黄分级与判定规则 / Warning grades and the decision rules
原文：“为涉案困难群众精准画像，对救助需求进行‘红、橙、黄’三色分级预警。”
本复现的判定树规则（可读、可修改，参数见 `data/models/panan.yaml`）如下；例如：被害人死亡后的家属、
在低收入名单上、看不到赔偿希望的，为**红**色。
"""),
        code('''
grades = report.counts(res.clues, "grade", label="等级 grade", order=["红", "橙", "黄"])
display(grades)
if len(grades):
    plotting.bar_chart(grades.set_index("等级 grade")["数量 n"], colors=plotting.GRADE_COLOURS,
                       title=plotting.zh_en("预警等级分布", "warning grades"))
    plt.show()
print(report.decision_tree_text(res))
display(report.decision_rules(res))
display(report.crosstab(res.clues, "analysis_model", "grade"))
'''),
        md("""
**怎样读 / How to read.** 红色是最紧急的线索，应优先核查、优先救助；橙色次之；黄色可以批量核查。
判定规则表说明每个等级是怎样得出的。*What to do:* 红色线索当天分派；若红色过多，检查关键词是否过宽（如否定表述）。
"""),
        md("""
## 分级救助与社会帮扶 / Graded aid and social assistance
原文：“通过设置不同权重系数，分级判定困难程度，分档次推荐拟救助金额”；“经判定暂不符合司法救助的，但符合社会救助条件的，
……及时推送至相关职能部门”。
"""),
        code('''
display(report.counts(res.clues, "recommended_agencies", label="推送部门 agencies", split="、"))
display(report.counts(res.clues, "amount_band", label="推荐金额档次 amount band"))
display(report.counts(res.clues, "aid_stage", label="推荐救助阶段 aid stage"))
'''),
        md("""
## 监督治理与其他清单 / Supervision and other lists
“以案件办理天数、案均救助金额等数据为参照项目对救助质效实时监管”；“针对当事人依法申请却因程序问题未应救尽救等怠于履职情形，
及时监督纠正”。下面是模型给出的监督数字与清单（已脱敏）。
"""),
        code(LISTS),
        *evaluation_block(nv),
        summary_cell("03_panan", "磐安 司法救助一件事", nv),
    ]
    return cells


# --------------------------------------------------------------------------- 04 单县
def nb_04():
    nv = [("shanxian.screen", "res")]
    cells = [
        md("""
# 案例四 单县：两库四比对 / Shan County: two databases, four comparisons

单县人民检察院发现救助线索“均为在刑事案件办理中逐案筛查发现，线索获取渠道狭窄，且效率较低”，
于是建立**基础数据库**（检察业务应用系统和信访系统中的被害人、申请人、信访人）与**筛查数据库**（县大数据局提供的四类重点人群），
“将 2 个比对点（姓名、身份证号）进行数据碰撞，……将信息重合点（即司法救助线索）形成单独列表予以推送”。
"""),
        md(ABOUT_AID),
        parameters("shanxian", linkage="id+name"),
        code(SETUP),
        md("""
## 两库与四比对 / The two databases and the four comparisons
- **基础数据库**：刑事检察、未成年人检察案件的被害人；民事检察的支持起诉、执行监督申请人；行政检察的行政裁判结果监督、
  行政非诉执行监督申请人；涉法涉诉信访人。
- **筛查数据库**四组：（1）原建档立卡贫困户及城市低保、农村低保、特困人员、边缘易致贫户、低保边缘家庭；
  （2）孤儿、困境儿童、事实无人抚养儿童；（3）持证残疾人（含残疾儿童）；（4）其他重点困难群体。
- **四比对**：基础库分别与四组比对，比对点为姓名和身份证号。
"""),
        *model_block("res", "shanxian.screen", "linkage=linkage", "单县 两库四比对"),
        md("### 各组命中 / Hits per group"),
        code('''
hits = report.group_hits(res.clues)
display(hits)
if len(hits):
    plotting.bar_chart(hits.set_index(hits.columns[0])[hits.columns[1]],
                       title=plotting.zh_en("四组比对各自命中的线索数", "clues per screening group"))
    plt.show()
'''),
        md("""
**怎样读 / How to read.** 一条线索可能同时命中几组（例如残疾且低保），所以各组之和可能大于线索数。
公布的数字是：83 条线索中，涉原建档立卡贫困户 34 条、涉残疾人 43 条。*What to do:* 残疾人线索多时，
安排上门帮助准备申请材料（原文：“针对残疾人出行不便的情况，……主动上门”）。
"""),
        code(LISTS),
        *evaluation_block(nv),
        summary_cell("04_shanxian", "单县 两库四比对", nv),
    ]
    return cells


# --------------------------------------------------------------------------- 05 魏都
def nb_05():
    nv = [("weidu.screen", "res")]
    cells = [
        md("""
# 案例五 魏都：一库三模块 / Weidu: one database, three modules

起因是一件个案：交通事故死者的妻儿获判赔偿近 16 万元，却“一直未能执行到位，二人生活较为困难”。
魏都区人民检察院认为“该案情形并非个例”，于是把检察的刑事、民事监督和信访数据与法院执行数据、
行政部门的特殊群体数据碰撞，构建“一库三模块”：可能救助案件库，以及重点线索收集、多元化救助、社会综合治理三个模块。
"""),
        md(ABOUT_AID),
        parameters("weidu", '# negation: keyword tagging, "plain" = published, or "aware"\nnegation = "plain"'),
        code(SETUP),
        md("""
## 数据分析规则 / The published steps
- 第一步：获取基础数据（刑事案件、民事监督案件、司法救助案件、法院执行案件，以及低保户、防返贫监测对象、残疾人、困难妇女、孤儿、春蕾儿童、失独家庭）；
- 第二步：**三个碰撞**——
  一是“民事监督案件申请人信息和信访人信息，分别与法院执行数据中的执行申请人信息碰撞，得到受害人无法通过诉讼获得赔偿的救助线索”；
  二是同一批人“与相关行政部门掌握的特殊群体信息碰撞，得到涉案困难群众的救助线索”；
  三是“提取犯罪嫌疑人信息，与法院执行数据中的被执行人信息碰撞，从而得到刑事附带民事案件判决后，民事执行不到位的救助线索”；
- 第三步：数据反比对，“将检察机关已经受理或办理的司法救助案件……剔除”；
- 第四步：按“人身损害、抚养赡养、教育医疗、经济收入”设置关键词，人工核查。
"""),
        *model_block("res", "weidu.screen", "linkage=linkage, negation=negation", "魏都 一库三模块"),
        md("### 三个碰撞 / The three collisions"),
        code('''
coll = report.collision_counts(res.clues)
display(coll)
if len(coll):
    plotting.bar_chart(coll.set_index(coll.columns[0])[coll.columns[1]],
                       title=plotting.zh_en("三个碰撞各自产生的线索", "clues per collision"))
    plt.show()
display(report.counts(res.clues, "categories", label="关键词类别 keyword category", split="、"))
'''),
        md("""
**怎样读 / How to read.** 碰撞一找“打赢官司拿不到钱”的人，碰撞二找“涉案又困难”的人，碰撞三找“刑事附带民事判了但没执行到位”的被害人。
同一人可能来自多个碰撞。关键词类别用于人工核查时排优先级（伤残死亡、丧失劳动能力、急需救治等）。
"""),
        md("""
## 重点线索：法律监督线索 / Supervision clues
原文：“对法院强制执行、行政机关怠于履职等适时进行监督”；魏都据此“获取执行监督线索 12 条，制发检察建议 6 份”。
下面是执行终结但未穷尽财产调查等监督线索（已脱敏），以及模型的其他清单。
*What to do:* 监督线索交民事检察部门审查，必要时制发检察建议；救助与监督同步进行。
"""),
        code(LISTS),
        md("""
## 多元化救助 / Diversified aid
对有心理、低保、入学、就业等需求的人，“及时推送至相关职能部门”：心理疏导（未检工作室）、低保（民政部门）、入学转学（教育部门）、就业（人社部门）。
"""),
        code('display(report.counts(res.clues, "recommended_agencies", label="推送部门 agencies", split="、"))'),
        md("""
## 第三步的两种读法 / Step 3 read two ways
第三步原文是“将**检察机关**已经受理或办理的司法救助案件从第二步排查出的线索中剔除”——**keep（公布）**照字面只剔除检察院的案件；
对已由**法院或公安机关决定救助**的人，原文没有说。司法救助“仅能进行一次救助”（seed 003），所以变体 **drop**
（`aided_elsewhere="drop"`）把这些已获其他政法机关救助的人也剔除：线索变少，剔除的都是已经救助过、不应再救助的人。
下面并排两种读法的漏斗、线索数和对照真相的精确率与召回率。
*What to do:* 若 drop 读法只减少线索而召回率不降，说明这些线索本就不该推送，可以在实务中加上这一步核对。
"""),
        code('''
res_drop = report.run("weidu.screen", pool, linkage=linkage, negation=negation, aided_elsewhere="drop")
readings = {"keep（公布）": res, "drop（已获他机关救助者剔除）": res_drop}
display(report.variant_funnels(readings))
display(Markdown(f"线索 clues: keep {len(res.clues)}, drop {len(res_drop.clues)}; "
                 f"drop 另剔除（已获法院、公安机关救助） {len(res.clues) - len(res_drop.clues)}"))
weidu_variants = {k: report.evaluate_result(v, pool) for k, v in readings.items()}
display(report.evaluation_table(weidu_variants))
'''),
        *evaluation_block(nv),
        summary_cell("05_weidu", "魏都 一库三模块", nv),
    ]
    return cells


NOTEBOOKS = {
    "00_synthetic_county": nb_00,
    "01_guanyun": nb_01,
    "02_yueqing": nb_02,
    "03_panan": nb_03,
    "04_shanxian": nb_04,
    "05_weidu": nb_05,
}


def build(directory: Path = HERE) -> list[Path]:
    return [write_notebook(directory, stem, fn()) for stem, fn in NOTEBOOKS.items()]


if __name__ == "__main__":
    for p in build():
        print(p.relative_to(HERE.parent))
