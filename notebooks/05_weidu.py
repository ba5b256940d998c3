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
# # 案例五 魏都：一库三模块 / Weidu: one database, three modules
#
# 起因是一件个案：交通事故死者的妻儿获判赔偿近 16 万元，却“一直未能执行到位，二人生活较为困难”。
# 魏都区人民检察院认为“该案情形并非个例”，于是把检察的刑事、民事监督和信访数据与法院执行数据、
# 行政部门的特殊群体数据碰撞，构建“一库三模块”：可能救助案件库，以及重点线索收集、多元化救助、社会综合治理三个模块。

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
county = "weidu"
seed = 7
scale = 0.02
data_dir = ""
out_dir = "."
linkage = "id"
# negation: keyword tagging, "plain" = published, or "aware"
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
# ## 数据分析规则 / The published steps
# - 第一步：获取基础数据（刑事案件、民事监督案件、司法救助案件、法院执行案件，以及低保户、防返贫监测对象、残疾人、困难妇女、孤儿、春蕾儿童、失独家庭）；
# - 第二步：**三个碰撞**——
#   一是“民事监督案件申请人信息和信访人信息，分别与法院执行数据中的执行申请人信息碰撞，得到受害人无法通过诉讼获得赔偿的救助线索”；
#   二是同一批人“与相关行政部门掌握的特殊群体信息碰撞，得到涉案困难群众的救助线索”；
#   三是“提取犯罪嫌疑人信息，与法院执行数据中的被执行人信息碰撞，从而得到刑事附带民事案件判决后，民事执行不到位的救助线索”；
# - 第三步：数据反比对，“将检察机关已经受理或办理的司法救助案件……剔除”；
# - 第四步：按“人身损害、抚养赡养、教育医疗、经济收入”设置关键词，人工核查。

# %%
res = report.run("weidu.screen", pool, linkage=linkage, negation=negation)
ev_res = report.evaluate_result(res, pool)
display(Markdown(report.headline({"weidu.screen": res}, {"weidu.screen": ev_res})))

# %% [markdown]
# #### 魏都 一库三模块：漏斗 / funnel

# %%
plotting.funnel_chart(res.funnel, title=plotting.zh_en("魏都 一库三模块 筛查漏斗", "weidu.screen screening funnel"))
plt.show()
display(report.funnel_table(res.funnel))

# %% [markdown]
# **怎样读漏斗图 / How to read the funnel.** 每根横条是某一步之后**剩下的人数**（第 0 条是第一步读入的记录数）。
# 横条突然变短的地方，就是规则起作用（或数据缺失）的地方：例如某份名单为空，交集就会变成 0。
# 最后一条是交给人工核查的线索数，也就是办案人员的**核查工作量**。
# *What to do:* 某一步剔除得异常多或异常少时，先核对该步读取的数据是否齐全（名单月份、身份证号质量），再判断规则本身。

# %% [markdown]
# #### 魏都 一库三模块：线索 / clues (masked)

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
# ### 三个碰撞 / The three collisions

# %%
coll = report.collision_counts(res.clues)
display(coll)
if len(coll):
    plotting.bar_chart(coll.set_index(coll.columns[0])[coll.columns[1]],
                       title=plotting.zh_en("三个碰撞各自产生的线索", "clues per collision"))
    plt.show()
display(report.counts(res.clues, "categories", label="关键词类别 keyword category", split="、"))

# %% [markdown]
# **怎样读 / How to read.** 碰撞一找“打赢官司拿不到钱”的人，碰撞二找“涉案又困难”的人，碰撞三找“刑事附带民事判了但没执行到位”的被害人。
# 同一人可能来自多个碰撞。关键词类别用于人工核查时排优先级（伤残死亡、丧失劳动能力、急需救治等）。

# %% [markdown]
# ## 重点线索：法律监督线索 / Supervision clues
# 原文：“对法院强制执行、行政机关怠于履职等适时进行监督”；魏都据此“获取执行监督线索 12 条，制发检察建议 6 份”。
# 下面是执行终结但未穷尽财产调查等监督线索（已脱敏），以及模型的其他清单。
# *What to do:* 监督线索交民事检察部门审查，必要时制发检察建议；救助与监督同步进行。

# %%
# further published lists of this model (masked)
display(report.list_sizes(res.lists))
for key in report.frame_lists(res.lists):
    display(Markdown(f"#### {key}"))
    display(report.show_list(res.lists, key, n=10))

# %% [markdown]
# ## 多元化救助 / Diversified aid
# 对有心理、低保、入学、就业等需求的人，“及时推送至相关职能部门”：心理疏导（未检工作室）、低保（民政部门）、入学转学（教育部门）、就业（人社部门）。

# %%
display(report.counts(res.clues, "recommended_agencies", label="推送部门 agencies", split="、"))

# %% [markdown]
# ## 第三步的两种读法 / Step 3 read two ways
# 第三步原文是“将**检察机关**已经受理或办理的司法救助案件从第二步排查出的线索中剔除”——**keep（公布）**照字面只剔除检察院的案件；
# 对已由**法院或公安机关决定救助**的人，原文没有说。司法救助“仅能进行一次救助”（seed 003），所以变体 **drop**
# （`aided_elsewhere="drop"`）把这些已获其他政法机关救助的人也剔除：线索变少，剔除的都是已经救助过、不应再救助的人。
# 下面并排两种读法的漏斗、线索数和对照真相的精确率与召回率。
# *What to do:* 若 drop 读法只减少线索而召回率不降，说明这些线索本就不该推送，可以在实务中加上这一步核对。

# %%
res_drop = report.run("weidu.screen", pool, linkage=linkage, negation=negation, aided_elsewhere="drop")
readings = {"keep（公布）": res, "drop（已获他机关救助者剔除）": res_drop}
display(report.variant_funnels(readings))
display(Markdown(f"线索 clues: keep {len(res.clues)}, drop {len(res_drop.clues)}; "
                 f"drop 另剔除（已获法院、公安机关救助） {len(res.clues) - len(res_drop.clues)}"))
weidu_variants = {k: report.evaluate_result(v, pool) for k, v in readings.items()}
display(report.evaluation_table(weidu_variants))

# %% [markdown]
# ### 评估 / Evaluation against the hidden truth

# %%
evals = {"weidu.screen": ev_res}
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
summary_file = report.write_summary(out_dir, "05_weidu", title="魏都 一库三模块", county=county,
                     runs={"weidu.screen": report.run_summary(res, ev_res)})
