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
# # 案例三 磐安：司法救助“一件事”平台 / Pan'an: the one-stop judicial aid platform
#
# 磐安县人民检察院的平台构建了**智能筛查、分级救助、社会帮扶、监督治理**四个场景。
# “根据罪名不同设置 8 个分析模型”，“梳理 6 类 62 个关键词或近似词”，通过 OCR 抓取数字卷宗中的关键词，
# “以判定树实现数据建模”，与重点困难群体数据碰撞，“对救助需求进行‘红、橙、黄’三色分级预警”。

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
county = "panan"
seed = 7
scale = 0.02
data_dir = ""
out_dir = "."
linkage = "id"
# negation: keyword matching, "plain" = published, or "aware"
negation = "plain"

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
# ## 智能筛查 / Screening
# 以数字卷宗为基础，按罪名（如诈骗、故意杀人、故意伤害、交通肇事、强奸……）分模型，
# 在文书中匹配 6 类关键词，再与重点困难群体名单比对，用判定树给每名被害人一个预警等级。

# %%
res = report.run("panan.screen", pool, linkage=linkage, negation=negation)
ev_res = report.evaluate_result(res, pool)
display(Markdown(report.headline({"panan.screen": res}, {"panan.screen": ev_res})))

# %% [markdown]
# #### 磐安 智能筛查：漏斗 / funnel

# %%
plotting.funnel_chart(res.funnel, title=plotting.zh_en("磐安 智能筛查 筛查漏斗", "panan.screen screening funnel"))
plt.show()
display(report.funnel_table(res.funnel))

# %% [markdown]
# **怎样读漏斗图 / How to read the funnel.** 每根横条是某一步之后**剩下的人数**（第 0 条是第一步读入的记录数）。
# 横条突然变短的地方，就是规则起作用（或数据缺失）的地方：例如某份名单为空，交集就会变成 0。
# 最后一条是交给人工核查的线索数，也就是办案人员的**核查工作量**。
# *What to do:* 某一步剔除得异常多或异常少时，先核对该步读取的数据是否齐全（名单月份、身份证号质量），再判断规则本身。

# %% [markdown]
# #### 磐安 智能筛查：线索 / clues (masked)

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
# ## 红橙黄分级与判定规则 / Warning grades and the decision rules
# 原文：“为涉案困难群众精准画像，对救助需求进行‘红、橙、黄’三色分级预警。”
# 本复现的判定树规则（可读、可修改，参数见 `data/models/panan.yaml`）如下；例如：被害人死亡后的家属、
# 在低收入名单上、看不到赔偿希望的，为**红**色。

# %%
grades = report.counts(res.clues, "grade", label="等级 grade", order=["红", "橙", "黄"])
display(grades)
if len(grades):
    plotting.bar_chart(grades.set_index("等级 grade")["数量 n"], colors=plotting.GRADE_COLOURS,
                       title=plotting.zh_en("预警等级分布", "warning grades"))
    plt.show()
print(report.decision_tree_text(res))
display(report.decision_rules(res))
display(report.crosstab(res.clues, "analysis_model", "grade"))

# %% [markdown]
# **怎样读 / How to read.** 红色是最紧急的线索，应优先核查、优先救助；橙色次之；黄色可以批量核查。
# 判定规则表说明每个等级是怎样得出的。*What to do:* 红色线索当天分派；若红色过多，检查关键词是否过宽（如否定表述）。

# %% [markdown]
# ## 分级救助与社会帮扶 / Graded aid and social assistance
# 原文：“通过设置不同权重系数，分级判定困难程度，分档次推荐拟救助金额”；“经判定暂不符合司法救助的，但符合社会救助条件的，
# ……及时推送至相关职能部门”。

# %%
display(report.counts(res.clues, "recommended_agencies", label="推送部门 agencies", split="、"))
display(report.counts(res.clues, "amount_band", label="推荐金额档次 amount band"))
display(report.counts(res.clues, "aid_stage", label="推荐救助阶段 aid stage"))

# %% [markdown]
# ## 监督治理与其他清单 / Supervision and other lists
# “以案件办理天数、案均救助金额等数据为参照项目对救助质效实时监管”；“针对当事人依法申请却因程序问题未应救尽救等怠于履职情形，
# 及时监督纠正”。下面是模型给出的监督数字与清单（已脱敏）。

# %%
# further published lists of this model (masked)
display(report.list_sizes(res.lists))
for key in report.frame_lists(res.lists):
    display(Markdown(f"#### {key}"))
    display(report.show_list(res.lists, key, n=10))

# %% [markdown]
# ### 评估 / Evaluation against the hidden truth

# %%
evals = {"panan.screen": ev_res}
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
summary_file = report.write_summary(out_dir, "03_panan", title="磐安 司法救助一件事", county=county,
                     runs={"panan.screen": report.run_summary(res, ev_res)})
