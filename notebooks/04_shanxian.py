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
# # 案例四 单县：两库四比对 / Shan County: two databases, four comparisons
#
# 单县人民检察院发现救助线索“均为在刑事案件办理中逐案筛查发现，线索获取渠道狭窄，且效率较低”，
# 于是建立**基础数据库**（检察业务应用系统和信访系统中的被害人、申请人、信访人）与**筛查数据库**（县大数据局提供的四类重点人群），
# “将 2 个比对点（姓名、身份证号）进行数据碰撞，……将信息重合点（即司法救助线索）形成单独列表予以推送”。

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
# linkage: "id+name" = published reading (两个比对点: name and identity number); or "id", "fallback"
county = "shanxian"
seed = 7
scale = 0.02
data_dir = ""
out_dir = "."
linkage = "id+name"

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
# ## 两库与四比对 / The two databases and the four comparisons
# - **基础数据库**：刑事检察、未成年人检察案件的被害人；民事检察的支持起诉、执行监督申请人；行政检察的行政裁判结果监督、
#   行政非诉执行监督申请人；涉法涉诉信访人。
# - **筛查数据库**四组：（1）原建档立卡贫困户及城市低保、农村低保、特困人员、边缘易致贫户、低保边缘家庭；
#   （2）孤儿、困境儿童、事实无人抚养儿童；（3）持证残疾人（含残疾儿童）；（4）其他重点困难群体。
# - **四比对**：基础库分别与四组比对，比对点为姓名和身份证号。

# %%
res = report.run("shanxian.screen", pool, linkage=linkage)
ev_res = report.evaluate_result(res, pool)
display(Markdown(report.headline({"shanxian.screen": res}, {"shanxian.screen": ev_res})))

# %% [markdown]
# #### 单县 两库四比对：漏斗 / funnel

# %%
plotting.funnel_chart(res.funnel, title=plotting.zh_en("单县 两库四比对 筛查漏斗", "shanxian.screen screening funnel"))
plt.show()
display(report.funnel_table(res.funnel))

# %% [markdown]
# **怎样读漏斗图 / How to read the funnel.** 每根横条是某一步之后**剩下的人数**（第 0 条是第一步读入的记录数）。
# 横条突然变短的地方，就是规则起作用（或数据缺失）的地方：例如某份名单为空，交集就会变成 0。
# 最后一条是交给人工核查的线索数，也就是办案人员的**核查工作量**。
# *What to do:* 某一步剔除得异常多或异常少时，先核对该步读取的数据是否齐全（名单月份、身份证号质量），再判断规则本身。

# %% [markdown]
# #### 单县 两库四比对：线索 / clues (masked)

# %%
display(report.show_clues(res.clues, n=15))

# %% [markdown]
# **线索清单 / The clues.** 每行一名人员（按有效身份证号去重），`rule_path` 记录该线索经过的步骤与分支，
# `match` 说明如何匹配（`id` 为身份证号精确匹配；其他方式置信度较低，需要重点核实），
# `recommended_agencies` 是建议推送的职能部门。身份信息已脱敏。
# *What to do:* 线索不是结论——每条都要人工核查（调阅卷宗、走访、网格员核实）后才能决定救助。

# %%
display(report.rule_paths(res.clues))

# %% [markdown]
# ### 各组命中 / Hits per group

# %%
hits = report.group_hits(res.clues)
display(hits)
if len(hits):
    plotting.bar_chart(hits.set_index(hits.columns[0])[hits.columns[1]],
                       title=plotting.zh_en("四组比对各自命中的线索数", "clues per screening group"))
    plt.show()

# %% [markdown]
# **怎样读 / How to read.** 一条线索可能同时命中几组（例如残疾且低保），所以各组之和可能大于线索数。
# 公布的数字是：83 条线索中，涉原建档立卡贫困户 34 条、涉残疾人 43 条。*What to do:* 残疾人线索多时，
# 安排上门帮助准备申请材料（原文：“针对残疾人出行不便的情况，……主动上门”）。

# %%
# further published lists of this model (masked)
display(report.list_sizes(res.lists))
for key in report.frame_lists(res.lists):
    display(Markdown(f"#### {key}"))
    display(report.show_list(res.lists, key, n=10))

# %% [markdown]
# ### 评估 / Evaluation against the hidden truth

# %%
evals = {"shanxian.screen": ev_res}
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
summary_file = report.write_summary(out_dir, "04_shanxian", title="单县 两库四比对", county=county,
                     runs={"shanxian.screen": report.run_summary(res, ev_res)})
