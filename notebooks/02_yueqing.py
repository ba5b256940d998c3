# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: language_info
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   language_info:
#     name: python
# ---

# %% [markdown]
# # 案例二 乐清：多元联动司法救助 / Yueqing: four models linking judicial and social aid
#
# 乐清市人民检察院分析 2016–2021 年的 115 件救助案件，发现 80% 涉及故意伤害、交通肇事，
# 且交通事故民事案件中“因赔偿款无法执行到位而致生活陷入困境的情形大量存在”。模型着重筛查
# “**人身受到伤害、未获赔偿、生活困难**”三个关键点，并做**反向筛查**：已获司法救助但尚未获得社会救助的人。
# 四个模型：模型1（检察环节）、模型2（审判执行环节）、模型3（社会救助对象中的司法救助线索）、模型4（司法救助对象中的社会救助线索）。

# %% [markdown]
# ### 背景：什么是国家司法救助 / Background
#
# **国家司法救助**是国家对遭受犯罪侵害或民事侵权、**无法通过诉讼获得有效赔偿**、**生活面临急迫困难**的当事人
# 给予的辅助性救济，由检察院（控告申诉检察部门）、法院、公安机关在办案中开展，一般一次性发放，
# 金额一般不超过当地上一年度职工月平均工资的 36 个月总额。难点在于“找人”：被害人往往不知道可以申请，
# 办案人员也不掌握其家庭是否因案致困。大数据模型把**案件数据**（谁受了损害、有没有得到赔偿）与
# **救助名单**（低保、残疾人、困境儿童……谁生活困难）碰撞，**变被动申请为主动救助**。
#
# *State judicial aid* is one-off help for victims who cannot get compensation through the courts and are in
# hardship because of the case. The models below collide case data with welfare registries to find them.
#
# 本报告中的数据是**合成数据**（synthetic county），其“真相”已知，因此可以计算模型的精确率与召回率；
# 报告中所有身份证号与姓名均已**脱敏**（如 `3303**********123X`、`张**`）。

# %% tags=["parameters"]
# Parameters: papermill replaces these values; `jiuzhu run` passes county, seed, scale, data_dir, out_dir.
# county: guanyun, yueqing, panan, shanxian or weidu (any notebook runs on any county)
# scale: fraction of the real population, 1 = real size
# data_dir: pool folder written by `jiuzhu synth`; empty = generate the pool in memory
# linkage: "id" = published reading, identity number only; or "id+name", "fallback"
county = "yueqing"
seed = 7
scale = 0.02
data_dir = ""
out_dir = "."
linkage = "id"
# negation: "plain" = published substring rule; "aware" keeps 未赔偿, 不予谅解 and similar
# county_code: 模型4 local code; empty = the county code of the pool
negation = "plain"
county_code = ""

# %%
from IPython.display import Markdown, display
import matplotlib.pyplot as plt

from jiuzhu_methods.reporting import plotting, report

plotting.setup_fonts()   # Chinese chart labels (English, with one warning, if no CJK font exists)
report.display_options()
pool = report.load_pool(county, data_dir or None, scale=scale, seed=seed)
display(Markdown(f"**县 county**: {pool.meta.get('county_name', pool.meta.get('county', county))} "
                 f"(`{pool.meta.get('county_code', '')}`), **scale** {scale}, **seed** {seed}"))
display(report.pool_overview(pool))

# %% [markdown]
# ## 模型1：审查逮捕、审查起诉环节未获赔偿的被害人
#
# - 第一步：“筛选出涉及故意伤害、交通肇事类的审查逮捕、审查起诉文书信息”；
# - 第二步：“剔除包含‘调解协议’‘已赔偿’‘谅解’等内容的文书，形成未获赔偿被害人数据”——公布的做法是**字面包含**这三个词，
#   因此“未达成调解协议”“不予谅解”也会被剔除；参数 `negation="aware"` 保留这类否定表述的被害人；
#   参数 `exclusion="content"` 把“等内容”读作内容，另外剔除记载了支付、原谅、和解等内容而不含这三个词的文书（词表见
#   `data/models/yueqing.yaml` 的 `content_words`）；
# - 第三步：“与乐清市低保低边户数据、乡镇街困难弱势群体数据取交集”；
# - 第四步：“人工核查，确定司法救助对象”。

# %%
m1 = report.run("yueqing.m1", pool, linkage=linkage, negation=negation)
ev_m1 = report.evaluate_result(m1, pool)
display(Markdown(report.headline({"yueqing.m1": m1}, {"yueqing.m1": ev_m1})))

# %% [markdown]
# #### 模型1：漏斗 / funnel

# %%
plotting.funnel_chart(m1.funnel, title=plotting.zh_en("模型1 筛查漏斗", "yueqing.m1 screening funnel"))
plt.show()
display(report.funnel_table(m1.funnel))

# %% [markdown]
# **怎样读漏斗图 / How to read the funnel.** 每根横条是某一步之后**剩下的人数**（第 0 条是第一步读入的记录数）。
# 横条突然变短的地方，就是规则起作用（或数据缺失）的地方：例如某份名单为空，交集就会变成 0。
# 最后一条是交给人工核查的线索数，也就是办案人员的**核查工作量**。
# *What to do:* 某一步剔除得异常多或异常少时，先核对该步读取的数据是否齐全（名单月份、身份证号质量），再判断规则本身。

# %% [markdown]
# #### 模型1：线索 / clues (masked)

# %%
display(report.show_clues(m1.clues, n=15))

# %% [markdown]
# **线索清单 / The clues.** 每行一名人员（按有效身份证号去重），`rule_path` 记录该线索经过的步骤与分支，
# `match` 说明如何匹配（`id` 为身份证号精确匹配；其他方式置信度较低，需要重点核实），
# `recommended_agencies` 是建议推送的职能部门。身份信息已脱敏。
# *What to do:* 线索不是结论——每条都要人工核查（调阅卷宗、走访、网格员核实）后才能决定救助。

# %%
display(report.rule_paths(m1.clues))

# %% [markdown]
# ### 第二步的几种读法 / Step 2 read three ways
# 第二步按原文“剔除包含‘调解协议’‘已赔偿’‘谅解’等内容的文书”。**plain（公布）**只看这三个词是否字面出现；
# **content（内容）**把“等内容”读作内容：记载了“一次性支付”“原谅”“和解协议”等而不含这三个词的文书（如一份刑事和解协议书）
# 同样说明被害人已获赔偿或谅解，也剔除——剔除的人**更多**；**aware（否定感知）**仍用三个词，但“未达成调解协议”“拒不赔偿”
# “不予谅解”这类**恰恰说明没有获赔**的表述不算——剔除的人**更少**。两者可以叠加（aware + content）。
# 下面把几种读法并排：每一步剩下的人数，以及对照真相的精确率与召回率。
# *What to do:* 若否定感知读法召回率明显更高而精确率不降，说明字面规则漏掉了真正需要救助的人；若 content 读法精确率更高而召回率不降，
# 说明字面规则留下了已获赔偿的人。合成县的和解文书总含三个原词之一，content 在这里可能与公布读法相同，差别在真实卷宗里才显出。

# %%
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

# %% [markdown]
# ## 模型2：无法通过诉讼获得赔偿的当事人
#
# - 第一步：故意伤害、交通肇事的刑事判决与交通事故民事判决中的受害人；
# - 第二步：“终结执行、终止本次执行的执行文书……提取出申请执行人”；
# - 第三步：两者取交集，“得到可能存在未获赔偿的情形”；
# - 第四步：与低保低边户、困难群体数据比对；第五步：人工核查。

# %%
m2 = report.run("yueqing.m2", pool, linkage=linkage)
ev_m2 = report.evaluate_result(m2, pool)
display(Markdown(report.headline({"yueqing.m2": m2}, {"yueqing.m2": ev_m2})))

# %% [markdown]
# #### 模型2：漏斗 / funnel

# %%
plotting.funnel_chart(m2.funnel, title=plotting.zh_en("模型2 筛查漏斗", "yueqing.m2 screening funnel"))
plt.show()
display(report.funnel_table(m2.funnel))

# %% [markdown]
# **怎样读漏斗图 / How to read the funnel.** 每根横条是某一步之后**剩下的人数**（第 0 条是第一步读入的记录数）。
# 横条突然变短的地方，就是规则起作用（或数据缺失）的地方：例如某份名单为空，交集就会变成 0。
# 最后一条是交给人工核查的线索数，也就是办案人员的**核查工作量**。
# *What to do:* 某一步剔除得异常多或异常少时，先核对该步读取的数据是否齐全（名单月份、身份证号质量），再判断规则本身。

# %% [markdown]
# #### 模型2：线索 / clues (masked)

# %%
display(report.show_clues(m2.clues, n=15))

# %% [markdown]
# **线索清单 / The clues.** 每行一名人员（按有效身份证号去重），`rule_path` 记录该线索经过的步骤与分支，
# `match` 说明如何匹配（`id` 为身份证号精确匹配；其他方式置信度较低，需要重点核实），
# `recommended_agencies` 是建议推送的职能部门。身份信息已脱敏。
# *What to do:* 线索不是结论——每条都要人工核查（调阅卷宗、走访、网格员核实）后才能决定救助。

# %%
display(report.rule_paths(m2.clues))

# %% [markdown]
# ## 模型3：已开展社会救助的人员是否符合司法救助
#
# “将社会大救助服务中心已开展救助人员数据与前两个模型中排查出的未获赔偿受害人数据进行匹配分析”，再人工核查。

# %%
m3 = report.run("yueqing.m3", pool, linkage=linkage, negation=negation)
ev_m3 = report.evaluate_result(m3, pool)
display(Markdown(report.headline({"yueqing.m3": m3}, {"yueqing.m3": ev_m3})))

# %% [markdown]
# #### 模型3：漏斗 / funnel

# %%
plotting.funnel_chart(m3.funnel, title=plotting.zh_en("模型3 筛查漏斗", "yueqing.m3 screening funnel"))
plt.show()
display(report.funnel_table(m3.funnel))

# %% [markdown]
# **怎样读漏斗图 / How to read the funnel.** 每根横条是某一步之后**剩下的人数**（第 0 条是第一步读入的记录数）。
# 横条突然变短的地方，就是规则起作用（或数据缺失）的地方：例如某份名单为空，交集就会变成 0。
# 最后一条是交给人工核查的线索数，也就是办案人员的**核查工作量**。
# *What to do:* 某一步剔除得异常多或异常少时，先核对该步读取的数据是否齐全（名单月份、身份证号质量），再判断规则本身。

# %% [markdown]
# #### 模型3：线索 / clues (masked)

# %%
display(report.show_clues(m3.clues, n=15))

# %% [markdown]
# **线索清单 / The clues.** 每行一名人员（按有效身份证号去重），`rule_path` 记录该线索经过的步骤与分支，
# `match` 说明如何匹配（`id` 为身份证号精确匹配；其他方式置信度较低，需要重点核实），
# `recommended_agencies` 是建议推送的职能部门。身份信息已脱敏。
# *What to do:* 线索不是结论——每条都要人工核查（调阅卷宗、走访、网格员核实）后才能决定救助。

# %%
display(report.rule_paths(m3.clues))

# %% [markdown]
# ## 模型4：司法救助后可进一步开展社会救助的人员
#
# 第一、二步分别取已获司法救助和已获社会救助的人员，第三步做**差集**（司法救助 − 社会救助），第四步人工审查，
# 第五步按“户籍地乐清”“乐清籍人员身份证号前缀数字”区分**本地与外地**人员，分别建议社会救助中心开展对应措施
# （外地人员需转其户籍地民政部门）。模型4找的是**社会救助**线索，评估的“真相”相应是社会救助条件。

# %%
m4 = report.run("yueqing.m4", pool, linkage=linkage, county_code=county_code)
ev_m4 = report.evaluate_result(m4, pool)
display(Markdown(report.headline({"yueqing.m4": m4}, {"yueqing.m4": ev_m4})))

# %% [markdown]
# #### 模型4：漏斗 / funnel

# %%
plotting.funnel_chart(m4.funnel, title=plotting.zh_en("模型4 筛查漏斗", "yueqing.m4 screening funnel"))
plt.show()
display(report.funnel_table(m4.funnel))

# %% [markdown]
# **怎样读漏斗图 / How to read the funnel.** 每根横条是某一步之后**剩下的人数**（第 0 条是第一步读入的记录数）。
# 横条突然变短的地方，就是规则起作用（或数据缺失）的地方：例如某份名单为空，交集就会变成 0。
# 最后一条是交给人工核查的线索数，也就是办案人员的**核查工作量**。
# *What to do:* 某一步剔除得异常多或异常少时，先核对该步读取的数据是否齐全（名单月份、身份证号质量），再判断规则本身。

# %% [markdown]
# #### 模型4：线索 / clues (masked)

# %%
display(report.show_clues(m4.clues, n=15))

# %% [markdown]
# **线索清单 / The clues.** 每行一名人员（按有效身份证号去重），`rule_path` 记录该线索经过的步骤与分支，
# `match` 说明如何匹配（`id` 为身份证号精确匹配；其他方式置信度较低，需要重点核实），
# `recommended_agencies` 是建议推送的职能部门。身份信息已脱敏。
# *What to do:* 线索不是结论——每条都要人工核查（调阅卷宗、走访、网格员核实）后才能决定救助。

# %%
display(report.rule_paths(m4.clues))

# %% [markdown]
# ### 四个模型并列：本地与外地 / Models 1–4 side by side, local vs non-local

# %%
side = report.side_by_side({"模型1": m1, "模型2": m2, "模型3": m3, "模型4": m4}, "local",
                           labels={True: "本地", False: "外地"})
display(side)
plotting.grouped_bar_chart(side, title=plotting.zh_en("乐清四个模型的线索数（本地/外地）", "clues per model, local vs non-local"),
                           stacked=True)
plt.show()
display(report.counts(m4.clues, "measures", label="模型4 建议措施 measures", split="、"))

# %% [markdown]
# **怎样读 / How to read.** 每根柱是一个模型的线索数；模型4 区分本地（户籍或身份证号前缀为本县）与外地。
# 模型1–3 不做本地区分，整根柱记为“全部”。*What to do:* 外地线索要通过对方户籍地的民政部门落实社会救助，
# 本地线索直接推送社会大救助服务中心。

# %% [markdown]
# ### 评估 / Evaluation against the hidden truth

# %%
evals = {"yueqing.m1": ev_m1, "yueqing.m2": ev_m2, "yueqing.m3": ev_m3, "yueqing.m4": ev_m4}
display(report.evaluation_table(evals))
if report.evaluation_records(evals):
    plotting.precision_recall_chart(report.evaluation_records(evals))
    plt.show()

# %% [markdown]
# **与真相对比 / Evaluation against the truth.** 合成县的“真相”表记录了每个受害人是否真正符合救助条件。
# **精确率**（precision）= 线索中真正符合条件的比例：低则核查中“白跑”的多；
# **召回率**（recall）= 符合条件的人中被模型找到的比例：低则有人被漏掉；
# **工作量**（workload）= 需要人工核查的线索数。真实数据没有真相表，这一节只在合成数据上存在。
# *What to do:* 召回率低时，检查身份证号质量和名单覆盖（可试 `linkage="fallback"`）；精确率低时，检查剔除规则是否过宽。

# %%
# one-line summary for reports/index.html (read by `jiuzhu run`)
summary_file = report.write_summary(out_dir, "02_yueqing", title="乐清 多元联动 模型1–4", county=county,
                     runs={"yueqing.m1": report.run_summary(m1, ev_m1), "yueqing.m2": report.run_summary(m2, ev_m2), "yueqing.m3": report.run_summary(m3, ev_m3), "yueqing.m4": report.run_summary(m4, ev_m4)})
