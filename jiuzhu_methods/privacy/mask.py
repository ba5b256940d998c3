"""脱敏 — the masking rules every writer of the package uses (reports, referral lists and
letters, the ledger, training cards, notebooks, exports).

What is masked, and how
-----------------------
* **ID numbers** (公民身份号码), valid or not: in an ID column every value
  (``3303**********123X``, :func:`identity.mask`); in any other text every *ID-like run*
  (:data:`ID_LIKE`): 15 or more digits, the last one possibly ``X``/``x``, half- or
  full-width, whatever stands before or after it — letters (``P3307…``, ``DB-3307…``,
  ``3307…SA``), Chinese (``证号3307…号``) — except more digits. A run of 15 or 18 is masked as
  an ID (normalised, then the first four and last four kept); any other length keeps its first
  and last four digits. Pseudonym tokens (:data:`TOKEN_SPAN`) are not ID numbers and are kept,
  so partners can match them.
* **Phone numbers**: in a phone column every value; in text every mobile number
  (``1[3-9]`` + 9 digits, ``138-1234-5678`` too) and every landline written ``0577-61234567``
  → the first three and last four digits kept (``138****5678``).
* **Names**: in a name column every value (``张**``, :func:`identity.mask_name`); in text every
  name given in ``names=`` (e.g. :func:`pool_names`: every name the pool knows). Quoted values
  of the ledger (``value '张雪' not in the vocabulary``) and out-of-vocabulary values are also
  masked when they are *name-shaped* (:func:`looks_like_name`: a surname of
  ``data/privacy.yaml`` followed by one or two Han characters, and no vocabulary word).
* **Addresses** (an address column): kept up to the first 县/区/市/镇/乡/街道, the rest ``***``.
* **Record keys** (:func:`record_key`): a key holding an ID-like run — ``proc_parties`` keyed by
  ``P3307…`` in a real export — never shows the ID. With the pool's :class:`RecordKeys`
  (:func:`record_keys`) it becomes the row it came from: ``当事人.csv 第12行`` (file and row as
  the ledger and a spreadsheet show them, header = row 1) for a loaded export,
  ``proc_parties 第11条`` (the 11th record of the pool's table, i.e. of its Parquet file)
  otherwise; that is how an office
  traces a list line back to its record. Without the pool the ID inside the key is masked
  (``P3303**********123X``). Keys without an ID are shown as they are.

Examples
--------
>>> mask_text("证号11010519491231002x，电话13812345678")
'证号1101**********002X，电话138****5678'
>>> record_key("P11010519491231002X")
'P1101**********002X'
>>> mask_text("被害人张三丰受伤", names=["张三丰"])
'被害人张**受伤'
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..core import identity, yaml_io
from ..io import schema

if TYPE_CHECKING:
    from ..io.pool import DataPool

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "privacy.yaml"

# --------------------------------------------------------------------------- patterns
#: a pseudonym token inside text (:mod:`jiuzhu_methods.privacy.pseudonym`): 64 hex digits not
#: followed by another, or ``!`` + 32 hex (+ ``:`` + 16 hex). Never masked.
TOKEN_SPAN = r"[0-9A-Fa-f]{64}(?![0-9A-Fa-f])|![0-9A-Fa-f]{32}(?::[0-9A-Fa-f]{16})?"
#: an ID-like run: 15 or more digits (half- or full-width), the last possibly X/x, not inside
#: a longer run of digits; letters and Chinese may touch it (``P3307…``, ``证号3307…号``)
ID_LIKE = r"(?<![0-9０-９])[0-9０-９]{14,}[0-9０-９XxＸｘ](?![0-9０-９])"
#: the same without look-arounds (Arrow's RE2 has none): rows that may hold an ID-like run
ID_PROBE = r"[0-9０-９]{14,}[0-9０-９XxＸｘ]"
#: a mobile number (3-4-4 digits, optionally separated by - or a space)
MOBILE = r"(?<![0-9０-９])[1１][3-9３-９][0-9０-９](?:[-\s]?[0-9０-９]{4}){2}(?![0-9０-９])"
#: a landline written with its area code: 0577-61234567
LANDLINE = r"(?<![0-9０-９])[0０][1-9１-９][0-9０-９]{1,2}-[0-9０-９]{7,8}(?![0-9０-９])"
#: rows that may hold a phone number (RE2)
PHONE_PROBE = r"[1１][3-9３-９][0-9０-９]|[0０][1-9１-９][0-9０-９]{1,2}-"
_PERSONAL = re.compile(f"(?P<token>{TOKEN_SPAN})|(?P<id>{ID_LIKE})|(?P<phone>{MOBILE}|{LANDLINE})")
_IDS_ONLY = re.compile(f"(?P<token>{TOKEN_SPAN})|(?P<id>{ID_LIKE})")
_NON_DIGIT = re.compile(r"\D")
_QUOTED = re.compile(r"(['‘“])([^'’”\n]{1,40})(['’”])")
_HAN = re.compile(r"^[\u4e00-\u9fff·]+$")
_ADDRESS_HEAD = re.compile(r"^(.*?(?:街道|县|区|市|镇|乡))")

#: pseudonym tokens (the whole value): a valid ID's and an invalid ID's
TOKEN_RE = re.compile(r"^[0-9a-fA-F]{64}$")
INVALID_TOKEN_RE = re.compile(r"^![0-9a-fA-F]{32}(?::[0-9a-fA-F]{16})?$")

#: columns :func:`mask_frame` drops with ``drop_hidden=True`` (identifying free text, for display)
HIDDEN_COLUMNS = frozenset({"text", "address", "phone", "applicant_phone", "respondent_phone", "birth_date"})


@lru_cache(maxsize=1)
def rules() -> dict:
    """``data/privacy.yaml``: surnames, name shape, columns whose "name" is no person's."""
    d = yaml_io.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    single = "".join(str(d["surnames"]["value"]).split())
    return {"surnames": frozenset(single), "compound": frozenset(d["compound_surnames"]["value"]),
            "single_lengths": tuple(d["name_shape"]["value"]["single"]),
            "compound_lengths": tuple(d["name_shape"]["value"]["compound"]),
            "min_name_chars": int(d["min_name_chars"]["value"]),
            "not_person_name_columns": frozenset(d["not_person_name_columns"]["value"])}


@lru_cache(maxsize=1)
def vocabulary_words() -> frozenset[str]:
    """Every word of every contract vocabulary (被害人, 民政局, 城市低保 …): never a name."""
    words: set[str] = set()
    for name in schema.TABLES:
        for col in schema.spec(name).columns.values():
            words |= set(col.vocabulary or ())
    return frozenset(words)


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT


# --------------------------------------------------------------------------- scalar rules
def mask_id_run(run: str) -> str:
    """One ID-like run masked: 15 or 18 characters as an ID (:func:`identity.mask`), any other
    length with its first and last four digits kept."""
    n = unicodedata.normalize("NFKC", run).upper()
    if len(n) in (15, 18):
        return identity.mask(n) or "*" * len(n)
    return n[:4] + "*" * max(len(n) - 8, 0) + n[-4:]


def mask_phone(value: Any) -> Any:
    """A phone number for display: its digits with the first three and last four kept
    (``138****5678``); fewer than seven digits all ``*``; no digit at all: unchanged."""
    if _missing(value):
        return value
    d = _NON_DIGIT.sub("", unicodedata.normalize("NFKC", str(value)))
    if not d:
        return value
    return d[:3] + "*" * (len(d) - 7) + d[-4:] if len(d) >= 7 else "*" * len(d)


def mask_address(value: Any) -> Any:
    """An address for display: up to the first 街道/县/区/市/镇/乡, then ``***``."""
    if _missing(value) or not str(value).strip():
        return value
    s = str(value).strip()
    m = _ADDRESS_HEAD.match(s)
    head = m.group(1) if m and len(m.group(1)) < len(s) else s[:2]
    return head + "***"


def looks_like_name(value: Any) -> bool:
    """Is ``value`` shaped like a Chinese personal name (a surname of ``data/privacy.yaml``
    followed by one or two Han characters, or a compound surname followed by one or two) and
    no word of a contract vocabulary?"""
    if not isinstance(value, str):
        return False
    s = value.strip()
    if not s or not _HAN.match(s) or s in vocabulary_words():
        return False
    r = rules()
    lo, hi = r["compound_lengths"]
    if s[:2] in r["compound"] and lo <= len(s) <= hi:
        return True
    lo, hi = r["single_lengths"]
    return s[0] in r["surnames"] and lo <= len(s) <= hi


def _trie(words: list[str]) -> str:
    """A regex alternation of ``words`` as a trie (``张(?:三丰|三|伟)|李…``): at each position of
    a text only the branch of its first character is tried. Longer words win."""
    tree: dict = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict) -> str:
        alts = []
        end = "" in node
        for ch in sorted((k for k in node if k), key=lambda k: -len(k)):
            alts.append(re.escape(ch) + render(node[ch]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and not end else "(?:" + "|".join(alts) + ")"
        return body + ("?" if end else "")

    return "|".join(re.escape(ch) + render(sub) for ch, sub in sorted(tree.items()) if ch)


@lru_cache(maxsize=16)
def _name_pattern_cached(names: frozenset[str]) -> re.Pattern | None:
    if not names:
        return None
    return re.compile(_trie(sorted(names)))


def name_pattern(names: Iterable[Any] | re.Pattern | None) -> re.Pattern | None:
    """One regex matching any of ``names`` (stripped; names shorter than ``min_name_chars``
    and words of a contract vocabulary left out), longest first; ``None`` when there is none.
    A compiled pattern is returned as it is."""
    if names is None or isinstance(names, re.Pattern):
        return names
    k = rules()["min_name_chars"]
    vocab = vocabulary_words()
    ns = frozenset(s for s in (str(x).strip() for x in names if isinstance(x, str))
                   if len(s) >= k and s not in vocab and not any(ch.isdigit() for ch in s))
    return _name_pattern_cached(ns)


def _mask_match(m: re.Match) -> str:
    if m.group("token"):
        return m.group(0)
    if m.group("id"):
        return mask_id_run(m.group(0))
    return mask_phone(m.group(0))


def mask_text(text: Any, names: Iterable[Any] | re.Pattern | None = None, *, phones: bool = True,
              quoted_names: bool = False, names_in_quotes: bool = False) -> str:
    """Free text safe to show: the ``names`` masked (``张**``), every ID-like run masked
    (glued to letters or Chinese, full-width, 15/18 digits …), phone numbers masked
    (``phones=False`` leaves them), pseudonym tokens kept. ``quoted_names=True`` also masks
    a quoted value (``'张雪'``, ‘…’, “…”) that :func:`looks_like_name` or is one of ``names``;
    ``names_in_quotes=True`` looks for ``names`` inside quoted values only (the loader's
    messages, whose only raw input is what they quote). Missing → ``""``."""
    if _missing(text):
        return ""
    s = str(text)
    pat = name_pattern(names)
    if pat is not None and not names_in_quotes:
        s = pat.sub(lambda m: identity.mask_name(m.group(0)) or "*", s)
    if quoted_names or names_in_quotes:
        def quoted(m: re.Match) -> str:
            v = m.group(2)
            if looks_like_name(v) or (pat is not None and pat.fullmatch(v.strip())):
                v = identity.mask_name(v) or "*"
            elif pat is not None and names_in_quotes:
                v = pat.sub(lambda n: identity.mask_name(n.group(0)) or "*", v)
            return m.group(1) + v + m.group(3)

        s = _QUOTED.sub(quoted, s)
    return (_PERSONAL if phones else _IDS_ONLY).sub(_mask_match, s)


def mask_ids_in_text(s: pd.Series) -> pd.Series:
    """:func:`mask_text` over a text column, ID-like runs only (``str`` out, missing stay
    missing). Used by the loaders for ledger messages."""
    return mask_text_series(s, phones=False)


def mask_text_series(s: pd.Series, names: Iterable[Any] | re.Pattern | None = None, *, phones: bool = True,
                     quoted_names: bool = False, names_in_quotes: bool = False) -> pd.Series:
    """:func:`mask_text` over a column (``str`` out, missing values stay missing), once per
    distinct value and only on the values that may hold something to mask (Arrow's regex
    engine finds them: ID-like runs, phone shapes, the names' trie, quotes)."""
    x = s.astype("str")
    if not len(x):
        return x
    pat = name_pattern(names)
    quotes = quoted_names or names_in_quotes
    probes = [ID_PROBE] + ([PHONE_PROBE] if phones else []) + (["['‘“]"] if quotes else [])
    todo = x.str.contains("|".join(probes), regex=True, na=False)
    if pat is not None and not names_in_quotes:
        try:
            todo = todo | x.str.contains(pat.pattern, regex=True, na=False)
        except Exception:  # a pattern too large for the regex engine: read every value
            todo = todo | (x.str.len() > 0).fillna(False).astype(bool)
    if not todo.any():
        return x
    sub = x[todo]
    done = {u: mask_text(u, pat, phones=phones, quoted_names=quoted_names, names_in_quotes=names_in_quotes)
            for u in pd.unique(sub)}
    out = x.copy()
    out[todo] = sub.map(done).to_numpy()
    return out


# --------------------------------------------------------------------------- columns
def is_id_column(name: object) -> bool:
    """ID-number columns: ``id_number``, ``*_id_number``, ``id``/``ids``/``id_numbers``,
    headers containing 身份证 or 身份号码."""
    n = str(name)
    lc = n.lower()
    return (lc == "id_number" or lc.endswith("_id_number") or lc in {"id", "ids", "id_numbers"}
            or "身份证" in n or "身份号码" in n)


def is_name_column(name: object) -> bool:
    """Person-name columns: ``name``, ``*_name``, ``names``, headers ending in 姓名 (or 姓名
    with a suffix such as 姓名（脱敏）); not ``county_name`` and the like (``data/privacy.yaml``)."""
    n = str(name)
    lc = n.lower()
    if lc in rules()["not_person_name_columns"]:
        return False
    return lc == "name" or lc.endswith("_name") or lc == "names" or lc.endswith("_names") or n.endswith("姓名") \
        or n in ("信访人", "申请执行人", "被执行人", "救助申请人")


def is_phone_column(name: object) -> bool:
    n = str(name)
    lc = n.lower()
    return lc == "phone" or lc.endswith("_phone") or "电话" in n or "手机" in n


def is_address_column(name: object) -> bool:
    n = str(name)
    lc = n.lower()
    return lc == "address" or lc.endswith("_address") or "住址" in n or "地址" in n


def is_key_column(name: object) -> bool:
    """Record-key columns: ``record_id``, ``source_ref``, ``key``, ``person``, ``*_id``,
    ``*_ids``, ``*_ref``, headers ending in 编号 or 案号 and 来源记录."""
    n = str(name)
    lc = n.lower()
    return (lc in {"record_id", "source_ref", "key", "person", "keys"} or lc.endswith("_id") or lc.endswith("_ids")
            or lc.endswith("_ref") or n.endswith("编号") or n.endswith("案号") or n in ("来源记录", "线索来源", "记录"))


def is_attribute_column(name: object) -> bool:
    """A companion column of :func:`pseudonymise_pool` (``id_number_birth_date`` …)."""
    n = str(name)
    return any(n.endswith(suf) and is_id_column(n[: -len(suf)]) for suf in ("_birth_date", "_sex", "_area"))


def id_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if is_id_column(c)]


def name_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if is_name_column(c)]


def is_token(s: pd.Series) -> pd.Series:
    """True where a value is a pseudonym token (valid-ID token or ``!`` invalid-ID token)."""
    x = s.astype("str")
    return (x.str.fullmatch(TOKEN_RE.pattern) | x.str.fullmatch(INVALID_TOKEN_RE.pattern)).fillna(False).astype(bool)


# --------------------------------------------------------------------------- record keys
@dataclass(frozen=True)
class RecordKeys:
    """Where the pool's ID-holding record keys came from: ``(table, key) → label`` (``当事人.csv
    第12行`` or ``proc_parties 第11条``) and ``key → label`` where the key is in one table only."""

    by_table: Mapping[tuple[str, str], str] = field(default_factory=dict)
    by_key: Mapping[str, str] = field(default_factory=dict)

    def label(self, key: Any, table: Any = None) -> str | None:
        if _missing(key):
            return None
        k = str(key)
        if table is not None and not _missing(table):
            got = self.by_table.get((str(table), k))
            if got is not None:
                return got
        return self.by_key.get(k)

    def __len__(self) -> int:
        return len(self.by_table)


def _has_id_run(s: pd.Series) -> pd.Series:
    """Which values hold an ID-like run (pseudonym tokens do not): Arrow's regex picks the
    candidates, Python's reads only those."""
    x = s.astype("str")
    out = x.str.contains(ID_PROBE, regex=True, na=False).to_numpy().copy()
    if out.any():
        cand = x[out]
        m = {u: any(g.group("id") for g in _IDS_ONLY.finditer(u)) for u in pd.unique(cand)}
        out[np.flatnonzero(out)] = cand.map(m).to_numpy(dtype=bool)
    return pd.Series(out, index=s.index)


def record_keys(pool: "DataPool", tables: Iterable[str] | None = None) -> RecordKeys:
    """The labels of the pool's record keys that hold an ID-like run (every contract table, or
    ``tables``): the file and row of the ledger for a loaded export (``当事人.csv 第12行``,
    ``registries.xlsx[城市低保] 第3行``, the row numbers a spreadsheet shows; ``等2行`` when the
    key is on more rows), else the 1-based record of the pool's table (``proc_parties 第11条``,
    the 11th row of its Parquet file). Keys without an ID get none."""
    by_table: dict[tuple[str, str], str] = {}
    led = getattr(pool, "ledger", None)
    for t in tables if tables is not None else schema.CONTRACT_TABLES:
        if t not in schema.TABLES:
            continue
        df = pool[t]
        keys = [k for k in schema.spec(t).key if k in df.columns]
        if not len(df) or len(keys) != 1:
            continue
        s = df[keys[0]].astype("str")
        has = _has_id_run(s)
        if not has.any():
            continue
        pos = pd.Series(np.arange(1, len(s) + 1), index=s.index)[has.to_numpy()]
        vals = s[has.to_numpy()]
        first = pos.groupby(vals.to_numpy()).min()
        count = pos.groupby(vals.to_numpy()).size()
        where = {k: f"{t} 第{int(first[k])}条" for k in first.index}
        if led is not None and len(led):
            lt = led[(led["table"] == t) & (led["status"] != "rejected") & led["key"].isin(list(first.index))]
            if len(lt):
                g = lt.groupby("key", sort=False).first()
                for k, r in g.iterrows():
                    sheet = f"[{r['sheet']}]" if isinstance(r["sheet"], str) and r["sheet"] else ""
                    where[k] = f"{mask_text(r['file'])}{sheet} 第{int(r['row'])}行"
        for k, w in where.items():
            n = int(count[k])
            by_table[(t, str(k))] = w + (f"等{n}{w[-1]}" if n > 1 else "")
    seen: dict[str, list[str]] = {}
    for (t, k), w in by_table.items():
        seen.setdefault(k, []).append(w)
    by_key = {k: ws[0] for k, ws in seen.items() if len(ws) == 1}
    return RecordKeys(by_table, by_key)


def record_key(value: Any, table: Any = None, keys: RecordKeys | None = None) -> Any:
    """The one rule for showing a record key: a key without an ID-like run as it is; a key with
    one → its row label from ``keys`` (:func:`record_keys`), else the key with the ID masked
    (``P3303**********123X``). A ``、``-joined list of keys is read key by key."""
    if _missing(value):
        return value
    v = str(value)
    if not any(m.group("id") for m in _IDS_ONLY.finditer(v)):
        return v
    if keys is not None:
        got = keys.label(v, table)
        if got is not None:
            return got
        if "、" in v:
            return "、".join(str(record_key(p, table, keys)) for p in v.split("、"))
    return _IDS_ONLY.sub(_mask_match, v)


def mask_key_series(s: pd.Series, keys: RecordKeys | None = None, tables: pd.Series | None = None) -> pd.Series:
    """:func:`record_key` over a column (per distinct ``(table, key)``; only the keys that hold
    an ID-like run are read). ``tables``: the table of each row (a clue's ``source``)."""
    if not len(s):
        return s
    has = _has_id_run(s)
    if not has.any():
        return s
    out = s.astype("object").copy()
    t = tables if tables is not None else pd.Series(None, index=s.index, dtype="object")
    pairs = pd.DataFrame({"k": s[has].astype("str").to_numpy(), "t": t[has].astype("object").to_numpy()})
    uniq = pairs.drop_duplicates()
    m = {(k, tt): record_key(k, tt, keys) for k, tt in zip(uniq["k"], uniq["t"])}
    out[has] = [m[(k, tt)] for k, tt in zip(pairs["k"], pairs["t"])]
    return out.astype(s.dtype) if s.dtype != object else out


# --------------------------------------------------------------------------- frames
def _is_list(v: Any) -> bool:
    return isinstance(v, (list, tuple, set, np.ndarray))


def _lists(s: pd.Series) -> pd.Series:
    """Which values of ``s`` are lists (bool; only object columns can hold them)."""
    if s.dtype != object or not len(s):
        return pd.Series(False, index=s.index)
    return s.map(_is_list).astype(bool)


def _per_value(s: pd.Series, func) -> pd.Series:
    """``func`` per distinct value of an object/str column (``object`` out; missing values stay
    missing); list values element by element."""
    lists = _lists(s)
    out = pd.Series(None, index=s.index, dtype="object")
    if lists.any():
        out[lists] = s[lists].map(lambda v: [func(x) for x in v])
    plain = ~lists & s.notna()
    if plain.any():
        sub = s[plain]
        sub = sub if sub.dtype != object else sub.map(lambda v: v if isinstance(v, str) else str(v))
        codes, uniq = pd.factorize(sub)
        done = np.array([func(u) for u in uniq] + [None], dtype=object)
        out[plain] = done[codes]
    return out


def _keep_dtype(out: pd.Series, like: pd.Series) -> pd.Series:
    """``out`` back in ``like``'s ``str`` dtype when it was one (such a column holds no lists)."""
    return out.astype(like.dtype) if like.dtype != object else out


def mask_id_series(s: pd.Series) -> pd.Series:
    """An ID column for display: :func:`identity.mask_series`, tokens kept, missing and blank
    values missing, list values element by element."""
    if not len(s):
        return s.astype("str")
    if _lists(s).any():
        return _per_value(s, lambda v: v if TOKEN_RE.match(str(v)) or INVALID_TOKEN_RE.match(str(v))
                          else identity.mask(v))
    x = s.astype("object").where(s.notna(), None)
    x = x.where(x.map(lambda v: v is None or str(v).strip() != ""), None)
    tok = is_token(s)
    masked = identity.mask_series(x)
    return pd.Series(np.where(tok, s.astype("str"), masked.astype("object")), index=s.index,
                     dtype="object").where(x.notna(), None).astype("str")


def _text_like(s: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(s) or s.dtype == object


def mask_frame(df: pd.DataFrame, *, raw: bool = False, text: bool = True,
               names: Iterable[Any] | re.Pattern | None = None, keys: RecordKeys | None = None,
               drop_hidden: bool = False) -> pd.DataFrame:
    """A copy of ``df`` safe to show or write (``raw=True``: an unchanged copy). Never mutates ``df``.

    ID columns, name columns, phone columns and address columns are masked value by value
    (lists element by element); record-key columns go through :func:`record_key` (``keys``,
    :func:`record_keys`, turns ID-holding keys into row labels; ``source_ref`` is read with its
    row's ``source`` table); the companion columns of a pseudonymised pool are blanked; with
    ``text=True`` every other text column goes through :func:`mask_text` (IDs, phones and the
    ``names`` given). Pseudonym tokens are kept. ``drop_hidden=True`` (displays) drops
    :data:`HIDDEN_COLUMNS` (document text, addresses, phones, birth dates)."""
    out = df.copy()
    if raw:
        return out
    if drop_hidden:
        out = out.drop(columns=[c for c in out.columns if c in HIDDEN_COLUMNS])
    pat = name_pattern(names)
    for c in out.columns:
        s = out[c]
        if isinstance(s, pd.DataFrame):  # duplicate column labels: leave the frame's shape alone
            continue
        if is_attribute_column(c):
            out[c] = pd.Series(None, index=s.index, dtype="object")
            continue
        if not _text_like(s):
            continue
        if is_id_column(c):
            out[c] = mask_id_series(s)
        elif is_name_column(c):
            out[c] = _keep_dtype(_per_value(s, identity.mask_name), s)
        elif is_phone_column(c):
            out[c] = _keep_dtype(_per_value(s, mask_phone), s)
        elif is_address_column(c):
            out[c] = _keep_dtype(_per_value(s, mask_address), s)
        elif is_key_column(c):
            if _lists(s).any():
                out[c] = _per_value(s, lambda v: record_key(v, None, keys))
            else:
                tables = out["source"] if str(c) == "source_ref" and "source" in out.columns else None
                out[c] = mask_key_series(s, keys, tables)
        elif text:
            if _lists(s).any():
                out[c] = _per_value(s, lambda v: mask_text(v, pat) if isinstance(v, str) else v)
            elif s.dtype == object:
                strs = s.map(lambda v: isinstance(v, str))
                if strs.any():
                    out[c] = s.where(~strs, mask_text_series(s.where(strs), pat))
            else:
                out[c] = mask_text_series(s, pat)
    return out


# --------------------------------------------------------------------------- the pool's people
def _name_values(pool: "DataPool") -> Iterable[pd.Series]:
    for t in schema.CONTRACT_TABLES:
        df = pool[t]
        for c in df.columns:
            if is_name_column(c) and len(df):
                yield df[c]


def pool_names(pool: "DataPool") -> frozenset[str]:
    """Every person's name the pool knows (its name columns; stripped, at least
    ``min_name_chars`` characters, no vocabulary word, nothing with a digit): what
    :func:`mask_text` masks inside text and the scanner looks for."""
    k = rules()["min_name_chars"]
    vocab = vocabulary_words()
    out: set[str] = set()
    for s in _name_values(pool):
        u = pd.unique(s.dropna().astype("str").str.strip())
        out |= {v for v in u if len(v) >= k and v not in vocab and not any(ch.isdigit() for ch in v)}
    return frozenset(out)


def pool_phones(pool: "DataPool") -> frozenset[str]:
    """Every phone number in the pool's phone columns (stripped; at least seven digits)."""
    out: set[str] = set()
    for t in schema.CONTRACT_TABLES:
        df = pool[t]
        for c in df.columns:
            if is_phone_column(c) and len(df):
                u = pd.unique(df[c].dropna().astype("str").str.strip())
                out |= {v for v in u if len(_NON_DIGIT.sub("", v)) >= 7}
    return frozenset(out)


# --------------------------------------------------------------------------- the ledger
def mask_ledger(ledger: pd.DataFrame, names: Iterable[Any] | re.Pattern | None = None) -> pd.DataFrame:
    """The loading ledger safe to write or print: ``key`` through :func:`record_key` (the row is
    in the ledger row itself), ``reason``/``warnings`` through :func:`mask_text` — IDs and
    phones anywhere, and a quoted value that is one of ``names`` or name-shaped (a name shifted
    into a vocabulary column: ``value '张雪' not in the vocabulary`` → ``'张*'``) —, ``file`` and
    ``sheet`` with the ``names`` anywhere."""
    if ledger is None:
        return ledger
    out = ledger.copy()
    pat = name_pattern(names)
    if "key" in out.columns:
        out["key"] = mask_key_series(out["key"].astype("str"))
    for c in ("reason", "warnings", "file", "sheet"):
        if c in out.columns:
            msg = c in ("reason", "warnings")
            out[c] = mask_text_series(out[c].astype("str"), pat, quoted_names=msg, names_in_quotes=msg)
    return out


def mask_vocabulary(vocabulary: pd.DataFrame | list | None,
                    names: Iterable[Any] | re.Pattern | None = None) -> pd.DataFrame:
    """Out-of-vocabulary values (``pool.meta["vocabulary"]``: table, column, label, value,
    count) safe to write or print: a value that is a known name or :func:`looks_like_name` is
    masked as a name, IDs and phones inside any value are masked."""
    cols = ["table", "column", "label", "value", "count"]
    v = pd.DataFrame(vocabulary if vocabulary is not None else [], columns=cols) if not isinstance(
        vocabulary, pd.DataFrame) else vocabulary.copy()
    if not len(v):
        return v
    pat = name_pattern(names)
    known = pat.fullmatch if pat is not None else (lambda s: None)

    def one(x: Any) -> Any:
        if _missing(x):
            return x
        s = str(x)
        if looks_like_name(s) or known(s.strip()):
            return identity.mask_name(s)
        return mask_text(s, pat)

    v["value"] = _per_value(v["value"].astype("object"), one)
    return v


__all__ = ["HIDDEN_COLUMNS", "ID_LIKE", "ID_PROBE", "INVALID_TOKEN_RE", "LANDLINE", "MOBILE", "RecordKeys",
           "TOKEN_RE", "TOKEN_SPAN", "id_columns", "is_address_column", "is_attribute_column", "is_id_column",
           "is_key_column", "is_name_column", "is_phone_column", "is_token", "looks_like_name", "mask_address",
           "mask_frame", "mask_id_run", "mask_id_series", "mask_ids_in_text", "mask_key_series", "mask_ledger",
           "mask_phone", "mask_text", "mask_text_series", "mask_vocabulary", "name_columns", "name_pattern",
           "pool_names", "pool_phones", "record_key", "record_keys", "rules", "vocabulary_words"]
