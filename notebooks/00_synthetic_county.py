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
# # 合成县：数据池是什么样的 / A synthetic county and its data pool
#
# 本笔记本生成（或读取）一个**合成县**的数据池，并描述它：人口、救助名单、办案系统和噪声。
# 后面五个笔记本里的模型读的都是这样一个数据池——与试点检察院从各系统导出的真实数据同一结构，
# 只是人是虚构的，而且每个人的“真相”（是否因案致困、是否已获赔偿、是否符合救助条件）另存一处，模型看不到。
#
# This notebook generates (or reads) one synthetic county and describes it: population, assistance
# registries, case systems and noise. Models never read the hidden truth; the evaluation does.

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
# ## 1. 元数据 / Metadata
# 县名、区划代码、随机种子、规模与参考日期。区划代码（6 位）也是本地户籍身份证号的前 6 位，
# 乐清模型4用它区分本地与外地人员。

# %%
display(report.meta_table(pool))

# %% [markdown]
# ## 2. 人口与真相 / Population and the hidden truth
# 真相表只存在于合成数据中：`truth_persons` 是全部人口，`truth_victims` 是每一个受害事件的受害人，
# 记录其是否已获赔偿、是否和解、困难程度、是否已获救助、是否符合司法救助 / 社会救助条件。
# 下表按损害类型统计；这是评估各模型召回率的分母来源。

# %%
if pool.has_truth:
    persons = pool.truth.get("truth_persons")
    display(Markdown(f"人口 persons: **{0 if persons is None else len(persons):,}**"))
    display(report.counts(persons, "hardship", label="困难程度 hardship (0 无 … 3 急迫)"))
    display(report.truth_overview(pool))
else:
    display(Markdown("This pool has no truth tables (real data)."))

# %% [markdown]
# ## 3. 救助名单 / Assistance registries
# 民政、残联、总工会、医保、妇联、乡村振兴等部门的名单，按月快照。“人数”按有效身份证号去重；
# 部分名单（尤其是基层治理四平台的**网格困难群体**）常缺身份证号，只能用姓名加电话、住址匹配。

# %%
reg = report.registry_overview(pool)
display(reg)
if len(reg):
    plotting.bar_chart(reg.set_index("名单 registry")["人数 persons"],
                       title=plotting.zh_en("各名单人数（有效身份证号去重）", "persons per registry (valid IDs)"))
    plt.show()

# %% [markdown]
# **怎样读 / How to read.** 横条越长名单越大。某份名单为空或很小，使用它的模型步骤就会找不到人——
# 在真实试点中，这通常意味着数据共享协议还没覆盖该部门。

# %% [markdown]
# ## 4. 办案系统 / Case systems
# 检察业务应用系统（案件、当事人、数字卷宗文书）、信访系统、司法救助案件、法院裁判与执行。

# %%
display(report.counts(pool["proc_cases"], "business", label="业务类别 business"))
display(report.counts(pool["proc_cases"], "charge", label="罪名/案由 charge").head(15))
display(report.counts(pool["proc_parties"], "role", label="诉讼地位 role"))
display(report.counts(pool["court_enforcements"], "closure", label="执行结案方式 closure"))
display(report.counts(pool["judicial_aid"], "status", label="司法救助状态 status"))
display(report.counts(pool["social_aid"], "aid_type", label="社会救助类型 aid type"))

# %%
charges = report.counts(pool["proc_cases"], "charge", label="charge").head(12)
if len(charges):
    plotting.bar_chart(charges.set_index("charge")["数量 n"],
                       title=plotting.zh_en("检察案件按罪名/案由", "procuratorate cases by charge"))
    plt.show()

# %% [markdown]
# ## 5. 噪声：身份证号质量 / Noise: identity numbers
# 真实数据里的身份证号会缺失、是 15 位旧号、小写 x、全角字符、夹空格，或者干脆录错（校验码错误）。
# 模型只用**有效**号码精确碰撞（公布的做法）；“需规范化”一列是经过规范化（全角转半角、去空格、15 位升 18 位）才有效的号码。
# *What to do:* 缺失与错误比例高的表，是漏报（召回率低）的主要来源；在真实试点中应推动源头系统校验。

# %%
q = report.id_quality(pool)
display(q)
if len(q):
    plotting.grouped_bar_chart(report.id_quality_shares(q),
                               title=plotting.zh_en("身份证号问题（占该表记录的百分比）", "identity-number problems, % of rows"),
                               ylabel=plotting.zh_en("占记录 %", "% of rows"), stacked=True)
    plt.show()

# %% [markdown]
# ## 6. 样例记录（已脱敏）/ Sample records (masked)

# %%
display(report.mask_frame(pool["proc_parties"].head(8)))
display(report.mask_frame(pool["registries"].head(8)))

# %%
# one-line summary for reports/index.html (read by `jiuzhu run`)
summary_file = report.write_summary(out_dir, "00_synthetic_county", title="合成县数据池 synthetic county", county=county,
                     n_persons=int(len(pool.truth["truth_persons"])) if "truth_persons" in pool.truth else 0,
                     n_cases=int(len(pool["proc_cases"])), n_registry_rows=int(len(pool["registries"])))
