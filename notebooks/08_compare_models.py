# ---
# jupyter:
#   jiuzhu:
#     scope: all
#   jupytext:
#     notebook_metadata_filter: jiuzhu,language_info
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
# # 模型设计比较：谁找到更多需要救助的人，代价多大，有多脆弱 / Comparing model designs
#
# 五个典型案例的模型各有设计：灌云按五类案件逐条研判，乐清按诉讼环节分四个模型，磐安用关键词与判定树分级，
# 单县“两库四比对”，魏都“一库三模块”。本笔记本把**每一个模型放到每一个合成县上**运行（不只是它自己的县），
# 用多个随机种子衡量不确定性，回答四个问题：
#
# 1. 每个模型在每个县的**精确率、召回率与人工核查量**；
# 2. **敏感性**：名单覆盖率下降、身份证号噪声上升、名单登记延迟变长时，召回率与精确率怎样变化；
# 3. **公布读法与变体**（`negation="aware"`、仅身份证号 vs 后备匹配）相差多少应救助人员与误报；
# 4. **没有任何模型找到的应救助人员**是谁（按原因分类），以及为什么。
#
# Every model runs on every synthetic county over several seeds; the data are synthetic and their truth is known,
# so precision and recall can be measured. No names or ID numbers appear in this report. Definitions and how to
# read each chart: `docs/compare.md`.

# %% tags=["parameters"]
# Parameters: papermill replaces these values; `jiuzhu run` passes county, seed, scale, data_dir, out_dir
# (this notebook has scope "all": it runs once, with county="all", data_dir = the pools folder).
# county: "all" or a comma-separated list (guanyun, yueqing, panan, shanxian, weidu)
# seed: first seed; seeds: number of seeds per county (seed, seed+1, ...)
# scale: fraction of the real population, 1 = real size
# data_dir: folder holding <data_dir>/<county> pools (reused when scale and seed match); empty = generate
# models: "" = every model but guanyun.amount (same clues as guanyun.screen); "all"; or a comma-separated list
# variant_seeds: the published reading is compared with its variants on the first N seeds
# sweep_counties, sweep_seeds, points: the sensitivity sweeps (points per sweep, from start to stop)
# sweep_models: models in the sweeps ("" = compare.SWEEP_MODELS: one broad design per county; "all"; or a list)
# jobs: processes for the runs (the results do not depend on it)
county = "all"
seed = 7
scale = 0.02
data_dir = ""
out_dir = "."
seeds = 2
models = ""
variant_seeds = 1
sweep_counties = "shanxian"
sweep_seeds = 2
points = 3
sweep_models = ""
jobs = 2

# %%
import time

from IPython.display import Markdown, display
import matplotlib.pyplot as plt

from jiuzhu_methods.evaluation import compare
from jiuzhu_methods.reporting import plotting, report

plotting.setup_fonts()   # Chinese chart labels (English, with one warning, if no CJK font exists)
report.display_options()
t_start = time.perf_counter()
counties = compare.parse_counties(county)
seed_list = compare.parse_seeds(seeds, seed)
model_list = compare.parse_models(models)
sweep_model_list = [m for m in compare.parse_models(sweep_models, compare.SWEEP_MODELS) if m in model_list] or model_list
sweep_county_list = [c for c in compare.parse_counties(sweep_counties) if c in counties] or counties[:1]
sweep_seed_list = seed_list[: max(1, int(sweep_seeds))]
county_labels = {c: f"{compare.COUNTY_NAMES[c]} {c}" for c in counties}
display(Markdown(f"**县 counties**: {', '.join(county_labels[c] for c in counties)}; **seeds** {seed_list}; "
                 f"**scale** {scale}; **models** {', '.join(model_list)}"))

# %% [markdown]
# ## 1 每个模型在每个县：精确率、召回率与核查量 / Precision, recall and workload
#
# 每个模型按**公布的读法**（默认参数）运行，线索对照合成县的真相评估（`jiuzhu_methods.evaluation.evaluate.evaluate`，
# 各模型自己的默认目标：乐清模型4找的是**社会救助**对象，其余是**司法救助**对象）。下表是各种子的均值、标准差与最小–最大值：
#
# - **召回率** recall = 找到的应救助人员 ÷ 全部应救助人员；**精确率** precision = 找到的应救助人员 ÷ 线索条数；
# - **核查量** workload = 线索条数（每条都要人工核查）；`tp` 找到的应救助人员，`fp` 其余线索（误报）。

# %%
base = compare.run_grid(counties, seed_list, scale=scale, models=model_list, variants=seed_list[: int(variant_seeds)],
                        reasons=True, jobs=int(jobs), pools_dir=data_dir or None)
records = base["records"]
published = records.loc[records["variant"] == "published"]
summary = compare.summarise(published)
display(compare.labelled(summary))
failed = compare.failures(records)
if len(failed):
    display(Markdown(f"**{len(failed)} 次运行失败 / runs failed** (metrics NaN, left out of the means):"))
    display(failed)

# %%
plotting.comparison_pr_chart(summary, facet_labels=county_labels)
plt.show()
display(Markdown("**各模型跨县平均 / per model over the counties** (recall, precision: mean of the county means; "
                 "workload, tp, fp: summed over the counties, per seed)"))
display(compare.overall(summary).round(3))

# %% [markdown]
# **怎样读 / How to read.** 每个小图是一个县，每个点是一个模型：越靠右找到的人越多，越靠上误报越少；
# 十字线是种子间的标准差（两个模型的十字线重叠，说明差别可能只是随机波动）；点越大，人工核查量越大。
# 一个模型在“别人的县”上表现如何，说明它的设计是否依赖本县特有的数据（如网格困难群体名单、司法救助台账）。
# *What to do:* 选择在多数县都靠右、且核查量可承受的设计；只在本县表现好的设计，推广前要核对目标县是否有同样的数据。

# %% [markdown]
# ## 2 敏感性 / Sensitivity sweeps
#
# 同一个县、同样的种子，只改变一个生成参数（`generate(overrides=...)`），其余不变：
#
# - **名单覆盖率**（1.0 → 0.5）：真正困难或残疾的人**被登记到名单**的概率乘以该系数（因案致困的登记、各名单的背景登记比例、残疾证）；
#   谁真正困难、谁应当救助不变——只是名单漏登的更多；
# - **身份证号噪声率**（0 → 10%）：每张表中身份证号缺失、15 位、全角、录错、夹空格的记录比例都设为该值；
# - **名单登记延迟**（0 → 12 个月）：因案致困到进入名单的平均月数。
#
# 曲线是各种子（和所选县）的均值，阴影为均值±标准差。

# %%
sweep_records = compare.run_sweeps(sweep_county_list, sweep_seed_list, points=int(points), scale=scale,
                                   models=sweep_model_list, jobs=int(jobs), pools_dir=data_dir or None, baseline=records)
sweeps = compare.sweep_summary(sweep_records)
drops = compare.sweep_drops(sweeps)
if len(compare.failures(sweep_records)):
    display(Markdown("**运行失败 / failed sweep runs**"))
    display(compare.failures(sweep_records))
sweep_labels = {k: plotting.zh_en(f"{v['label_zh']}", v["label"]) + f" ({v['unit']})" for k, v in compare.SWEEPS.items()}
display(Markdown(f"扫描的县 sweep counties: {', '.join(county_labels[c] for c in sweep_county_list)}; "
                 f"seeds {sweep_seed_list}; models {', '.join(sweep_model_list)}"))
plotting.sweep_chart(sweeps, metric="recall", labels=sweep_labels)
plt.show()
plotting.sweep_chart(sweeps, metric="precision", labels=sweep_labels)
plt.show()
display(drops.round(3))

# %% [markdown]
# **怎样读 / How to read.** 平的曲线说明该设计对这一条件不敏感；下降最陡的那一条，就是最先让该设计失效的条件。
# 表中 `d_recall` 是从第一个点到最后一个点召回率的变化。依赖**身份证号精确碰撞**的设计对噪声敏感；
# 依赖**名单**的设计对覆盖率和延迟敏感；不依赖名单的规则（如案情本身：死亡、伤残）则较稳。
# *What to do:* 试点前先测量本县数据的这三个条件（名单覆盖、身份证号质量、登记延迟），选择对最差的那一项不敏感的设计，
# 或者先改善那一项数据。

# %% [markdown]
# ## 3 公布读法与变体 / Published reading vs variants
#
# 每个模型按其函数签名接受的参数运行变体：`negation="aware"`（“未达成调解协议”“不予谅解”等否定表述不再触发剔除），
# `linkage="fallback"`（身份证号不可用时用姓名 + 出生日期/电话/住址匹配，置信度较低），单县默认 `"id+name"`，另比较 `"id"`。
# 下表是**变体减去公布读法**：`d_tp` 多找到的应救助人员（负数 = 少找到），`d_fp` 多出的误报线索。

# %%
diff = compare.variant_differences(records)
by_model = compare.variant_summary(diff)
display(by_model.round(2))
if len(by_model):
    plotting.variant_chart(by_model)
    plt.show()
display(Markdown("**按县 / per county** (mean over the variant seeds)"))
display(compare.variant_summary(diff, by=("county", "model", "variant")).round(2))

# %% [markdown]
# **怎样读 / How to read.** 绿条长、红条短的变体值得采用；条形为零说明在这些数据上变体不改变结果。
# *What to do:* 有希望的变体先在试点县的真实数据上对照人工核查结果，再决定是否改为常规规则。

# %% [markdown]
# ### 3.1 否定读法：公布的字面读法 vs `negation="aware"` / Plain vs negation-aware reading
#
# 乐清模型1第二步“剔除包含‘调解协议’‘已赔偿’‘谅解’等内容的文书”按字面（子串）执行时，“未达成调解协议”“不予谅解”
# “调解协议未达成”，以及询问笔录里的提问“你是否谅解对方？”都会把**没有拿到赔偿**的被害人剔除。`negation="aware"`
# 按否定的**辖域**读每一处关键词（`jiuzhu_methods.core.keywords.read_occurrences`，规则见 `data/negation.yaml`、`docs/negation.md`）：
# 否定词只管它所在分句里紧随其后的关键词；“无条件谅解”“已赔偿未成年被害人”“不仅已赔偿”不是否定，“不是不谅解”是双重否定；
# 条件句、提问、辩解不算肯定。合成县的卷宗按 `negation_phrasings` 参数写入这些表述（一部分否定的和解表述不带“未赔偿”字样）。
# 下表先给读法在标注句上的准确率，再给各模型在合成县上两种读法的差别（比较变体的种子上的均值，每县每模型一行）。

# %%
from jiuzhu_methods.evaluation import negation_eval

display(Markdown("**标注句上的准确率 / accuracy on the labelled sentences** (`data/negation_sentences.yaml`)"))
display(negation_eval.reader_accuracy(by="label"))
negation = compare.negation_table(records)
display(negation.round(2))
display(Markdown(compare.negation_sentence(negation)))

# %% [markdown]
# **怎样读 / How to read.** `workload_plain`/`workload_aware` 是两种读法下的线索条数，`d_tp` 是多找到的应救助人员，`d_fp` 是多出的误报。
# 字面读法剔除了卷宗里写着“未达成调解协议”“不予谅解”的未获赔偿被害人，否定读法把他们找回来；卷宗写明已和解、已谅解
# （包括“无条件谅解”）的被害人两种读法都剔除。只对关键词打标签、不据此剔除的模型（魏都第四步）线索条数不变，只是标签变了。
# 书面达成调解协议但没有履行的被害人，两种读法都剔除（“虽达成调解协议，但至今未履行”里调解协议是肯定的）：这要靠规则本身
# （如灌云规则一对“未履行”的处理），不是读法能解决的。
# *What to do:* 在真实卷宗上，先抽查字面规则剔除的文书里有多少是否定或提问，再决定是否采用否定读法。

# %% [markdown]
# ## 4 没有任何模型找到的应救助人员 / Eligible persons no model finds
#
# 对每个应获司法救助、但**没有任何以司法救助为目标的模型**找到的人，按下表的顺序取**第一个成立的原因**
# （先看数据缺口，再看规则排除）。原因由真相表与数据池推出，只用于诊断；表中只有人数，没有个人信息。

# %%
display(compare.reason_table())
missed = compare.missed_counts(base["missed"], counties)
display(missed)
if missed["total"].sum() > 0:
    plotting.grouped_bar_chart(missed.drop(columns="total"), stacked=True,
                               title=plotting.zh_en("没有任何模型找到的应救助人员（按原因，种子均值）",
                                                    "eligible persons no model finds, by reason (mean over seeds)"),
                               ylabel=plotting.zh_en("人数", "persons"))
    plt.show()

# %% [markdown]
# **怎样读 / How to read.** “无案件记录”的人从来没有进入检察、法院或信访系统，任何碰撞模型都找不到，只能靠走访、网格员发现；
# “身份证号缺失或错误”可以通过源头录入校验或后备匹配改善；“不在任何救助名单”说明困难没有被登记（名单覆盖问题）；
# “书面和解/谅解”是字面规则剔除了实际没拿到钱的人；“已有司法救助记录”是被反向比对剔除的人（可能是已受理未决定、程序性不予受理）。
# *What to do:* 最大的那一类决定下一步：数据共享（名单、身份证号质量）还是规则修改（和解是否实际履行、反向比对的状态范围）。

# %% [markdown]
# ## 5 结论 / Conclusion

# %%
conclusion = compare.conclusion(summary, drops=drops, variants=by_model, missed=missed)
display(Markdown(conclusion))
elapsed = time.perf_counter() - t_start
display(Markdown(f"*本报告运行用时 / run time: {elapsed:.0f} s*"))

# %% [markdown]
# 以上结论由本页的表格自动生成（数字变，结论随之变），针对的是**合成县**：它告诉试点团队在“像本县一样”的数据条件下
# 各设计大致会产生多少线索、找到多少人、对哪种数据缺陷最敏感。真实数据没有真相表，试点时应以人工核查的结果替代“真相”，
# 重复同样的比较。
#
# These conclusions are generated from the tables above; they hold for the synthetic counties. On real data, use the
# results of manual verification in place of the truth and repeat the same comparison.

# %%
# the tidy records behind every table (no personal data), then the one-line summary for reports/index.html
records.to_csv(f"{out_dir}/08_compare_records.csv", index=False)
sweep_records.to_csv(f"{out_dir}/08_compare_sweeps.csv", index=False)
ov = compare.overall(summary)
summary_file = report.write_summary(
    out_dir, "08_compare_models", title="模型设计比较 comparing model designs", county=county,
    runs={r["model"]: {"clues": round(float(r["workload"]), 1), "precision": r["precision"], "recall": r["recall"]}
          for _, r in ov.head(3).iterrows()},
    n_counties=len(counties), n_seeds=len(seed_list), n_models=len(model_list),
    n_failed=int(len(compare.failures(records)) + len(compare.failures(sweep_records))), seconds=round(elapsed, 1),
    conclusion=conclusion)
