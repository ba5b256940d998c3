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
# # 案例一 灌云：一池一制一标准多循环 / Guanyun: one pool, one mechanism, one standard, many cycles
#
# 江苏省灌云县人民检察院在 12309 检察服务中心建立“司法救助服务乡村振兴实体化工作平台”，
# 把低保、低收入户、困境儿童、残疾人、困难职工、医疗救助对象、困难妇女等名单每月汇入**数据池**（一池），
# 与民政、残联等 20 个单位会签衔接机制（一制），制定《司法救助资金分类量化标准实施细则》（一标准），
# 并把救助信息推送给相关部门、定期复查（多循环）。两个模型：**模型一 筛选救助对象**，**模型二 测算救助金额**。

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
county = "guanyun"
seed = 7
scale = 0.02
data_dir = ""
out_dir = "."
linkage = "id"

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
# ## 模型一：筛选救助对象 / Model 1: find the persons to aid
#
# **适用对象**（原文）：“主要用于因刑事案件或因交通事故等民事侵权案件致伤致残的人身损害类案件，因案造成重大财产损失类案件，
# 涉赡养费、抚养费、抚育费等弱势群体扶养类案件及涉法涉诉信访类案件等五大案件类型的被害人及其近亲属或申诉人。”
#
# **研判规则**（原文）：
# 1. 研判规则一：“案件发生后，被害人无法通过诉讼获得有效赔偿”——没有执行完毕、没有和解赔偿；
# 2. 研判规则二：“被害人因案致困，生活面临急迫困难”——在困难名单上，或案情本身（死亡、重伤、残疾）；
# 3. 研判规则三：“其他司法机关未开展司法救助”——与所有机关“决定救助”的司法救助案件做差集。
#
# 平台**检索不到**、但符合规则一和规则三的人，另列一份清单，向职能部门制发《社会救助建议函》。

# %%
screen = report.run("guanyun.screen", pool, linkage=linkage)
ev_screen = report.evaluate_result(screen, pool)
display(Markdown(report.headline({"guanyun.screen": screen}, {"guanyun.screen": ev_screen})))

# %% [markdown]
# #### 模型一 筛选救助对象：漏斗 / funnel

# %%
plotting.funnel_chart(screen.funnel, title=plotting.zh_en("模型一 筛选救助对象 筛查漏斗", "guanyun.screen screening funnel"))
plt.show()
display(report.funnel_table(screen.funnel))

# %% [markdown]
# **怎样读漏斗图 / How to read the funnel.** 每根横条是某一步之后**剩下的人数**（第 0 条是第一步读入的记录数）。
# 横条突然变短的地方，就是规则起作用（或数据缺失）的地方：例如某份名单为空，交集就会变成 0。
# 最后一条是交给人工核查的线索数，也就是办案人员的**核查工作量**。
# *What to do:* 某一步剔除得异常多或异常少时，先核对该步读取的数据是否齐全（名单月份、身份证号质量），再判断规则本身。

# %% [markdown]
# #### 模型一 筛选救助对象：线索 / clues (masked)

# %%
display(report.show_clues(screen.clues, n=15))

# %% [markdown]
# **线索清单 / The clues.** 每行一名人员（按有效身份证号去重），`rule_path` 记录该线索经过的步骤与分支，
# `match` 说明如何匹配（`id` 为身份证号精确匹配；其他方式置信度较低，需要重点核实），
# `recommended_agencies` 是建议推送的职能部门。身份信息已脱敏。
# *What to do:* 线索不是结论——每条都要人工核查（调阅卷宗、走访、网格员核实）后才能决定救助。

# %%
display(report.rule_paths(screen.clues))

# %% [markdown]
# ### 社会救助建议函与其他清单 / Letters of suggestion and other lists
# “对于平台未能检索到的因案致困相关人员……同步向相关职能部门制发《社会救助建议函》，建议采取纳入低保……等长期帮扶措施。”
# *What to do:* 这份清单上的人不在任何名单里，需要走访核实后由民政、乡村振兴等部门纳入帮扶。

# %%
# further published lists of this model (masked)
display(report.list_sizes(screen.lists))
for key in report.frame_lists(screen.lists):
    display(Markdown(f"#### {key}"))
    display(report.show_list(screen.lists, key, n=10))

# %% [markdown]
# ## 模型二：测算救助金额 / Model 2: compute the aid amount
#
# 原文公式：
# - “救助基本金额 = 救助基准金额 ×（案件类型系数 + 生活困难系数）”，生活困难系数分 1–5、5–10、10–15 倍三档；
# - 追加金额：“重点优抚、困境儿童、残疾人（1–2 级）……增加 5–10 倍救助基准金额”；“困难妇女、困难职工、医疗救助对象、残疾人（3–4 级）……增加 1–5 倍”；
# - “最终实际救助金额 =（基本金额 + 追加金额）× 过错系数”；另受法定上限约束：一般不超过上一年度职工月平均工资的 36 个月总额。
#
# 公布的效果：“同类案件救助金额上下幅度不超过 30%”，解决“同案不同助”。下图检验这一点。
#
# 模型二的救助对象就是模型一的线索：`screen=screen` 把上面的结果交给模型二，不再重跑一遍模型一
# （结果与重跑相同）。/ Model 2's recipients are model 1's clues: `screen=screen` hands over the result
# above instead of running the screen again (same output).

# %%
amount = report.run("guanyun.amount", pool, linkage=linkage, screen=screen)
ev_amount = report.evaluate_result(amount, pool)
display(Markdown(report.headline({"guanyun.amount": amount}, {"guanyun.amount": ev_amount})))

# %% [markdown]
# #### 模型二 测算救助金额：漏斗 / funnel

# %%
plotting.funnel_chart(amount.funnel, title=plotting.zh_en("模型二 测算救助金额 筛查漏斗", "guanyun.amount screening funnel"))
plt.show()
display(report.funnel_table(amount.funnel))

# %% [markdown]
# **怎样读漏斗图 / How to read the funnel.** 每根横条是某一步之后**剩下的人数**（第 0 条是第一步读入的记录数）。
# 横条突然变短的地方，就是规则起作用（或数据缺失）的地方：例如某份名单为空，交集就会变成 0。
# 最后一条是交给人工核查的线索数，也就是办案人员的**核查工作量**。
# *What to do:* 某一步剔除得异常多或异常少时，先核对该步读取的数据是否齐全（名单月份、身份证号质量），再判断规则本身。

# %% [markdown]
# #### 模型二 测算救助金额：线索 / clues (masked)

# %%
display(report.show_clues(amount.clues, n=15))

# %% [markdown]
# **线索清单 / The clues.** 每行一名人员（按有效身份证号去重），`rule_path` 记录该线索经过的步骤与分支，
# `match` 说明如何匹配（`id` 为身份证号精确匹配；其他方式置信度较低，需要重点核实），
# `recommended_agencies` 是建议推送的职能部门。身份信息已脱敏。
# *What to do:* 线索不是结论——每条都要人工核查（调阅卷宗、走访、网格员核实）后才能决定救助。

# %%
display(report.rule_paths(amount.clues))

# %% [markdown]
# ### 各类案件的金额与 ±30% 区间 / Amounts by class with the ±30% band

# %%
amounts = report.amount_frame(amount.clues)
bands = report.amount_bands(amounts, by="class", amount="amount")
display(bands)
if len(bands):
    plotting.amount_band_chart(amounts, bands)
    plt.show()
display(report.amount_spread(amount, pool))

# %% [markdown]
# **怎样读 / How to read.** 每个点是一名救助对象的测算金额；“类”= 案件类型 × 生活困难档次；横线是该类金额的中位数，阴影是 ±30% 区间。
# 点落在区间外，说明同类案件之间的差距超过了公布的幅度——通常来自追加系数（如一二级残疾人）或上限。
# `within_share` 是区间内的比例。最后一张表把模型二的测算与本县以往的救助金额（标准出台前，按同样的类别划分）对比：
# 以往金额在类内偏离越大，就越说明存在“同案不同助”。*What to do:* 区间外的点逐个看系数构成，确认差别有案情依据，而不是“同案不同助”。

# %%
# further published lists of this model (masked)
display(report.list_sizes(amount.lists))
for key in report.frame_lists(amount.lists):
    display(Markdown(f"#### {key}"))
    display(report.show_list(amount.lists, key, n=10))

# %% [markdown]
# ### 评估 / Evaluation against the hidden truth

# %%
evals = {"guanyun.screen": ev_screen, "guanyun.amount": ev_amount}
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

# %% [markdown]
# ## 多循环 / Follow-up
# 灌云的平台每月复查救助对象是否仍然困难，并把需求推送给乡村振兴、民政、教育、残联等部门。
# 上面线索表中的 `recommended_agencies` 就是推送对象；转介网络的覆盖情况在后续的转介网络笔记本中分析。

# %%
# one-line summary for reports/index.html (read by `jiuzhu run`)
summary_file = report.write_summary(out_dir, "01_guanyun", title="灌云 一池一制一标准多循环", county=county,
                     runs={"guanyun.screen": report.run_summary(screen, ev_screen), "guanyun.amount": report.run_summary(amount, ev_amount)})
