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
# county: guanyun, yueqing, panan, shanxian or weidu (the county's own models and referral data are used)
# scale: fraction of the real population, 1 = real size
# data_dir: pool folder written by `jiuzhu synth`; empty = generate the pool in memory
# linkage: "id" = published reading, identity number only; or "id+name", "fallback"
# policy: "recommended" = clues go to the agencies the models recommend (as published);
#         "needs" = every clue goes to every agency serving its person's (verified) needs
# nonlocal_policy: "transfer" = non-local persons go to the procuratorate of their home county (seed 003); or "local"
# raw_dir: a folder OUTSIDE the reports for unmasked referral lists and letters (empty = none; never shown here)
county = "guanyun"
seed = 7
scale = 0.02
data_dir = ""
out_dir = "."
linkage = "id"
policy = "recommended"
nonlocal_policy = "transfer"
raw_dir = ""

# %% [markdown]
# # 转介网络：救助需求是否到达对口部门 / The referral network
#
# 五个典型案例都以**推送/移送**结束：检察院把线索推送给签了衔接机制的职能部门（灌云“1+20+N”、8 条沟通联络渠道；
# 乐清“1+1+N”、社会大救助平台；磐安“浙政钉”推送；单县、魏都联合救助）。模型找到人只是第一步，
# **这个人的每一项需求（基本生活、医疗、教育、就业、心理）是否被推送到了真正承担该项服务、且与检察院有联络渠道的部门？**
# 本笔记本把**人员、案件、部门**连成一张网络（networkx），逐项检查这条链条在哪里断开。
#
# The published cases all end by pushing clues to agencies. This notebook links persons, cases and agencies in one
# graph and checks, for every need of every person, whether it reaches an agency that serves it through a channel
# the county actually signed. The data are synthetic (the truth — who needs what — is known); every identity shown
# is masked (`张**`, `3207**********123X`).
#
# **链条的各环节 / the chain of one need** (first break wins):
#
# | 环节 stage | 含义 meaning |
# |---|---|
# | 未形成线索 `no_clue` | 没有任何模型为此人产生线索 — no model found the person |
# | 线索未推送 `no_referral` | 有线索，但未建议任何部门 — a clue without any recommended agency |
# | 推送单位不对口 `wrong_agency` | 推送了，但没有推送给承担这项需求的部门 — referred, but to no agency serving this need |
# | 无联络渠道 `no_channel` | 推送给了对口部门，但本县与该部门没有签订联络渠道 — serving agency, but no signed channel |
# | 已推送未见救助 `no_feedback` | 经渠道推送，但尚无这项需求的社会救助记录 — referred, no aid recorded yet |
# | 移送户籍地 `transfer_home` | 外地户籍，移送户籍地检察院协调（seed 003） — non-local, transferred to the home county |
# | 已获社会救助 `aided` | 经渠道推送，且已有这项需求的社会救助记录 — referred and aided |
#
# 后三项计为**已覆盖**（covered）。*Coverage* = covered needs ÷ all needs.

# %%
from pathlib import Path

from IPython.display import Markdown, display
import matplotlib.pyplot as plt

from jiuzhu_methods.referral import network as rn
from jiuzhu_methods.reporting import plotting, report

plotting.setup_fonts()   # Chinese chart labels (English, with one warning, if no CJK font exists)
report.display_options()
pool = report.load_pool(county, data_dir or None, scale=scale, seed=seed)
cfg = rn.load_county(county)
display(Markdown(f"**县 county**: {cfg.county_name} (`{cfg.county_code}`), **scale** {scale}, **seed** {seed}; "
                 f"**机制 mechanism**: {cfg.mechanism}"))

# %% [markdown]
# ## 1 本县签订的渠道与各部门的服务 / Channels and services (data, with sources)
#
# 下表来自 `jiuzhu_methods/data/referral/<county>.yaml`：每条**渠道**（检察院 → 部门）和每项**服务**（需求 → 部门）
# 都注明出处——引用案例原文（`seed`），或标明是**假设**（`assumption`，案例未写明时的合理推断）。
# 想用本县真实的机制文件替换它们，只需修改这份 YAML。
#
# Each channel and service is quoted from the published case (`seed`) or marked `assumption`.

# %%
display(cfg.channel_table())
display(cfg.service_table()[["need", "need_zh", "agency", "channel", "status", "source"]])

# %% [markdown]
# ## 2 线索与网络 / Clues and the network
#
# 运行本县的模型（参数 `linkage`），把线索及其建议推送部门（`recommended_agencies`）连入网络：
# 人员 —参与→ 案件，人员 —登记于→ 救助名单 —属于→ 部门，人员 —获救助→ 部门（司法救助、社会救助），
# 人员 —推送→ 部门（线索），检察院 —渠道→ 部门。人员以有效身份证号识别；在合成数据上，诊断按真相 `person_id` 识别
# （即使身份证号录错也能对上人），模型本身从不读取真相。

# %%
clues = rn.collect_clues(pool, county=county, linkage=linkage)
net = rn.build_network(pool, clues, cfg, policy=policy, nonlocal_policy=nonlocal_policy)
s = rn.summary(net)
display(Markdown(
    f"**{s['clues']}** 条线索 clues → **{s['referrals']}** 次推送 referrals；"
    f"**{s['persons_with_needs']}** 名有需求的人员共 **{s['needs']}** 项需求，其中 **{s['covered']}** 项已覆盖 "
    f"(coverage **{(s['coverage'] or 0):.0%}**)。网络：{net.graph.number_of_nodes()} 个节点，{net.graph.number_of_edges()} 条边。"
    + (f" 未能运行的模型 skipped: {', '.join(s['skipped_models'])}" if s['skipped_models'] else "")))

# %% [markdown]
# ## 3 部门层面的网络 / The agency-level network
#
# 中心是检察院，左侧是产生线索的模型，周围是各职能部门。**线宽 = 推送人次**；**绿色实线** = 经已签订的渠道推送；
# **红色虚线** = 推送给了没有渠道的部门（推送可能落空）；浅灰线 = 有渠道但本次没有推送。节点越大，收到的推送越多；
# 绿色节点有渠道，粉色节点没有。
#
# *How to read it:* thick red dashed lines are referrals that travel on no agreed channel — the agreement to sign next.

# %%
rn.plot_agency_network(net)
plt.show()

# %% [markdown]
# ## 4 转介覆盖率 / Referral coverage
#
# **按需求**：每类需求的人次，以及停在链条各环节的数量（蓝色为已覆盖）。**按模型**：只计该模型的线索时能覆盖多少需求
# （分母是全部需求）。**按部门**：该部门承担的需求中（`needs_served`），有多少人被推送给它（`referred`），
# 经渠道覆盖了多少（`covered`）。

# %%
by_need = rn.coverage_by(net, "need")
rn.plot_coverage(by_need)
plt.show()
display(by_need)
display(rn.coverage_by(net, "model"))
display(rn.coverage_by(net, "agency"))
display(rn.coverage_by(net, "local"))

# %% [markdown]
# **怎样读 / How to read.** 灰色（未形成线索）大，说明问题在**找人**：模型召回率低或名单不全，回到各模型笔记本看漏斗；
# 橙色（未推送、推送不对口）大，说明线索的**建议推送部门**与需求不匹配，应在核查时补充需求评估；
# 红色（无联络渠道）大，说明本县**缺一份衔接协议**——见第 8 节的假设分析。

# %% [markdown]
# ## 5 链条在哪里断开 / Where the chain breaks
#
# 全部需求按环节计数；下表列出**符合司法救助或社会救助条件、但至少有一项需求未覆盖**的人员（脱敏），
# `break` 是其最早的断点。

# %%
display(rn.chain_breaks(net))
display(rn.chain_breaks(net, eligible_only=True))
unr = rn.unreached(net)
display(Markdown(f"**{len(unr)}** 名符合条件的人员至少有一项需求未覆盖 eligible persons with an uncovered need"))
display(unr.drop(columns=["person"]).head(15))

# %% [markdown]
# ## 6 人员层面的样本子图 / A sample of persons (masked)
#
# 随机抽取几名人员（尽量每个环节一人），画出他们的案件（三角）、救助名单（菱形）、推送与救助（方块为部门）。
# 人员圆点的颜色是其需求中最早的断点（颜色同第 4 节）。标签已脱敏。

# %%
sub = rn.person_subgraph(net, n=6, seed=seed)
rn.plot_person_subgraph(net, sub, seed=seed)
plt.show()

# %% [markdown]
# ## 7 一次性救助与重复救助；外地户籍 / Once-only aid, overlapping aid, non-local persons
#
# 国家司法救助**仅能进行一次**（seed 003）：下表一列出获得两次及以上“决定救助”的人员。
# 表二是同一需求由两个以上部门给予社会救助的情形（可能重复救助，需核实）。
# 表三是有线索的**外地户籍**人员：按 seed 003，“社会救助申请地与办理案件的检察院所在地不一致的，办案检察院应当将……
# 予以社会救助的建议等书面材料，移送社会救助申请地检察院”。户籍地按身份证号前六位判断（首次登记地，是一个假设）。

# %%
twice = rn.judicial_aid_twice(net)
display(Markdown(f"**{len(twice)}** 人获得两次及以上司法救助决定 persons with two or more judicial-aid decisions"))
display(twice.drop(columns=["person"]).head(10))
over = rn.overlapping_aid(net)
display(Markdown(f"**{len(over)}** 项需求由两个以上部门救助 needs aided by two or more agencies"))
display(over.drop(columns=["person"]).head(10))
nonlocal_ = rn.nonlocal_referrals(net)
display(Markdown(f"**{len(nonlocal_)}** 名外地户籍人员需移送户籍地 non-local persons to transfer"))
display(nonlocal_.drop(columns=["person"]).head(10))

# %% [markdown]
# ## 8 部门负荷与瓶颈 / Agency load and bottlenecks
#
# `referrals`/`persons`：推送给该部门的人次/人数；`covered`：经该部门覆盖的需求数；`sole`：**只有**该部门覆盖的需求数
# （若该渠道中断，这些需求就落空——瓶颈）；`betweenness`：在人员—部门网络中的中介中心度（连接的人群越多越高）。

# %%
display(rn.agency_load(net))

# %% [markdown]
# ## 9 假设分析：下一份协议签给谁 / What-if: which agreement to sign next
#
# 逐一尝试**增加一条渠道**（检察院 → 尚无渠道的部门）或**增加一项服务**（某个已收到推送的部门承担一项新需求），
# 重新计算覆盖率，按新增覆盖的需求数排序。排名第一的，就是对本县困难群众帮助最大的下一步。

# %%
wi = rn.what_if(net)
rn.plot_what_if(wi, top=10)
plt.show()
display(wi.head(15))

# %% [markdown]
# 上表假定线索仍按模型建议的部门推送。若办案人员在核查时**按核实后的需求推送**（每项需求推送给承担该服务的部门，
# 参数 `policy="needs"`），新增一条渠道的作用会更大——下表就是这种情况下的排名。两张表都为 0 时，说明问题不在渠道，
# 而在**找人**（未形成线索）或推送后的**反馈**。
#
# *If referrals followed the verified needs instead of the models' recommendations:*

# %%
wi_needs = rn.what_if(net, policy="needs")
rn.plot_what_if(wi_needs, top=10, title=plotting.zh_en("按核实需求推送时：增加一条渠道或服务的覆盖增益",
                                                       "What-if, referring on verified needs"))
plt.show()
display(wi_needs.head(10))

# %% [markdown]
# ## 10 可以直接使用的产出 / Outputs a pilot team can act on
#
# - **各部门转介名单**（Excel，每个部门一个文件，默认脱敏；以公式开头的单元格已中和）：`referral_lists/`；
# - **社会救助建议函**草稿（每次推送一份，按 `data/referral/letter_template.yaml` 模板生成，默认脱敏）：`letters/`。
#
# 真实姓名和身份证号只在给出参数 `raw_dir`（报告目录以外的文件夹）时另行写出（文件名带 `_raw`），且从不在本报告中显示。
# 草稿须经办案人员核实、签发后方可使用。

# %%
out = Path(out_dir)
lists = rn.write_referral_lists(net, out / "referral_lists")
letters = rn.draft_letters(net)
letter_files = rn.write_letters(letters, out / "letters", county=county)
if raw_dir:  # explicit request only; kept out of the report folder (the runner scans it for identity numbers)
    rn.write_referral_lists(net, Path(raw_dir) / county / "referral_lists", masked=False)
    rn.write_letters(rn.draft_letters(net, masked=False), Path(raw_dir) / county / "letters", county=county, masked=False)
display(Markdown(f"{len(lists)} 份转介名单 referral lists, {len(letters)} 份建议函 letters "
                 f"({len(letter_files)} files) → `{out}`"))
first = next(iter(rn.referral_lists(net).items()), None)
if first:
    display(Markdown(f"#### {first[0]}（示例 sample）"))
    display(first[1].head(8))
if len(letters):
    display(Markdown("#### 社会救助建议函（示例 sample, masked）\n\n```\n" + letters["text"].iloc[0] + "\n```"))

# %%
# one-line summary for reports/index.html (read by `jiuzhu run`)
best = wi[wi["needs_gained"] > 0]
report.write_summary(out_dir, "06_referral_network", title="转介网络 referral network", county=county, runs={},
                     clues=s["clues"], n_clues=s["clues"], n_referrals=s["referrals"], n_needs=s["needs"],
                     n_covered=s["covered"], n_coverage=f"{(s['coverage'] or 0):.0%}", coverage=s["coverage"],
                     n_unreached=len(unr), n_letters=len(letters), n_nonlocal=len(nonlocal_),
                     top_what_if=(best["label"].iloc[0] if len(best) else ""))
