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

# %% tags=["parameters"]
# Parameters: papermill replaces these values; `jiuzhu run` passes county, seed, scale, data_dir, out_dir.
# county: guanyun, yueqing, panan, shanxian or weidu (exercises can be drawn from any county;
#         amounts always follow the 灌云 standard, the only published one)
# data_dir: pool folder written by `jiuzhu synth`; empty = generate the pool in memory
# n_cards, exercise_seed, difficulty (easy, medium, hard): the exercise set
county = "guanyun"
seed = 7
scale = 0.02
data_dir = ""
out_dir = "."
n_cards = 10
exercise_seed = 1
difficulty = "medium"

# %% [markdown]
# # 司法救助案例练习 / Case exercises for new 控告申诉 staff
#
# 这本笔记本是给**新入职的控告申诉检察人员**的练习材料。大数据模型只负责“找线索”，真正的判断由办案人员作出：
# **这个人符不符合国家司法救助条件？按标准救助多少？还应当移送哪些部门？** 下面先读法律条件，
# 再看每个模型如何得出一条线索，然后做一套练习卡片；**答案在最后单独的一节**，做完再看。
#
# The models only prepare a clue list; the handler decides. Read the legal conditions, follow one worked
# example per model, then answer the exercise cards. The answer key is in a separate section at the end.
# All identities are masked (`张**`, `3207**********123X`); the data are synthetic, so the truth is known.

# %%
from pathlib import Path

from IPython.display import Markdown, display

from jiuzhu_methods.reporting import report
from jiuzhu_methods import training

pool = report.load_pool(county, data_dir or None, scale=scale, seed=seed)
display(Markdown(f"**县 county**: {pool.meta.get('county_name', pool.meta.get('county', county))}, "
                 f"**scale** {scale}, **seed** {seed}"))

# %% [markdown]
# ## 1 法律条件 / The legal conditions
#
# 国家司法救助的对象限定于**因遭受犯罪侵害或民事侵权导致生活陷入急迫困难且无法通过诉讼获得有效赔偿**的人；
# 金额以当地上一年度职工月平均工资为基准，一般不超过 36 个月总额，且**仅能救助一次**（seed 003，闫召华 2025）。
# 灌云的筛选模型把它写成三条研判规则（案例一 模型一），其测算模型给出金额公式（模型二）：

# %%
display(training.LEGAL_CONDITIONS)

# %% [markdown]
# **五个典型案例各自抓住的要点**（最高检《大数据赋能类案司法救助典型案例（第一批）》）：
#
# - **案例一 灌云** — 五类案件（刑事致伤致残、交通事故等民事侵权、重大财产损失、扶养类、涉法涉诉信访）的被害人和近亲属，
#   在救助名单中检索；三条研判规则；金额 =（基准 ×（案件类型系数 + 生活困难系数）+ 基准 × 追加系数）× 过错系数。
# - **案例二 乐清** — 故意伤害、交通肇事被害人：**剔除文书含“调解协议”“已赔偿”“谅解”的**（研判规则一的文本版），再与低保低边、
#   网格困难群体取交集；判决后**终结执行/终结本次执行**的申请人 = 无法通过诉讼获得赔偿；司法救助后未获社会救助的人移送社会救助。
# - **案例三 磐安** — 数字卷宗关键词 + 判定树，红/橙/黄三色预警；不符合司法救助但符合社会救助的推送职能部门。
# - **案例四 单县** — 两库四比对：被害人、申请人、信访人 × 四组困难群体名单（姓名 + 身份证号两个比对点）。
# - **案例五 魏都** — 执行未到位 × 特殊群体；**反向比对剔除已救助的人**（研判规则三，仅救助一次）。
#
# **练习中的陷阱 / The traps in the exercises**: 文书写着“谅解”的已和解案件（看似线索，规则一不满足）；
# 在低收入名单上的**犯罪嫌疑人**（不是被害人）；**同名不同人**（名单上的“王*”不是本人：核对身份证号末四位与住址）；
# 以及**没有任何模型命中**、却符合条件的人（名单之外的因案致困）。

# %% [markdown]
# ## 2 每个模型一个实例 / One worked example per model
#
# 下表为每个模型取一条线索（优先取真相中确实符合条件的人），列出它的**规则路径**（rule path：这条线索依次通过了哪些
# 公开步骤）、推荐的移送机关、真相（此人是否真的符合司法救助条件），以及该模型公开步骤的原文（“公开步骤”列，出自典型案例）。

# %%
results, model_warnings = training.run_models(pool)
for w in model_warnings:
    print("!", w)
display(training.worked_examples(pool, results))

# %% [markdown]
# **怎样读 / How to read.** 规则路径中的每一段是一个公开步骤（例如“案件类型 > 名单命中 > 规则一 > 规则三”）。
# 模型命中只说明此人**值得人工核查**：规则路径里没有的事实（是否已和解、名单上是不是同一个人、是否已获救助）
# 正是下面练习要你自己核对的。*A clue is a reason to check, not a decision.*

# %% [markdown]
# ## 3 练习 / Exercises
#
# 每张卡片回答三个问题，写在答题卡上（下方表格；课堂上用导出的 `answer_sheet.xlsx`）：
#
# 1. **是否符合**国家司法救助条件（是/否），**依据**哪条规则（代码见下表）；
# 2. 按**灌云标准**应救助多少元，写出所选的案件类型系数、生活困难系数、追加系数、过错系数；
# 3. 应当**移送**哪些机关（可多个，用“、”分隔）。

# %%
ex = training.make_exercises(pool, n=n_cards, seed=exercise_seed, difficulty=difficulty, results=results)
for w in ex.warnings:
    print("!", w)
display(Markdown(f"**{len(ex)} 张卡片 cards**, 难度 difficulty **{difficulty}**, seed {exercise_seed}"))
display(training.rules_table())

# %%
for card in ex.cards:
    display(Markdown(card.markdown()))

# %% [markdown]
# **答题卡 / Answer sheet** (blank):

# %%
display(ex.answer_sheet())
files = ex.save(Path(out_dir) / "07_training_exercise")
display(Markdown("课堂文件 classroom files: " + ", ".join(f"`{name}`" for name in files)
                 + " — `key.*` 是答案，请单独分发 (the key files are separate)."))

# %% [markdown]
# ---
#
# ## 4 答案（教师用）/ ANSWER KEY — trainers only
#
# **以下为答案，做完练习再看。** Everything below reveals the answers: the truth behind each card, the amount
# computed with the 灌云 standard (每一个系数从哪里来), the agencies that serve each person's needs, and what each
# model did with the person (its rule path, or that no model flagged them).

# %%
display(ex.key_table())

# %% [markdown]
# **评分 / Grading.** `training.grade(答题卡, ex)` 逐题给分：是否符合、依据（接受真相中任一不满足的规则）、
# 金额（相对误差不超过 30% 算对：灌云“同类案件救助金额上下幅度不超过30%”）、移送（每项需求至少有一个对口机关 = 覆盖）。
# 命令行：`jiuzhu exercise --grade 答题卡.xlsx --key key.json`。下面是满分答卷和空白答卷的评分：

# %%
perfect = training.grade(ex.perfect_sheet(), ex)
blank = training.grade(ex.answer_sheet(), ex)
display(perfect.summary_table())
display(blank.summary_table())
print(blank.messages[:3] or "(no messages)")

# %%
# one-line summary for reports/index.html (read by `jiuzhu run`)
kinds = ex.key["kind"].value_counts().to_dict()
summary_file = report.write_summary(out_dir, "07_training", title="培训练习 case exercises", county=county, runs={},
                                   n_cards=len(ex), n_traps=int(ex.key["kind"].isin(training.TRAPS).sum()),
                                   n_eligible=int(ex.key["eligible"].sum()), kinds=kinds,
                                   perfect_score=perfect.summary["score"], difficulty=difficulty)
