"""输出检查 — the one scanner for personal data left in written files.

:func:`scan` reads every file under the given paths (CSV/TSV/TXT/MD/log, HTML/SVG/XML, JSON and
notebooks, ``.xlsx``/``.docx`` as the text of their XML, Parquet through pandas) as text in NFKC
form (full-width digits become ASCII; HTML entities decoded; embedded images and pseudonym
tokens left out) and reports what it finds, never the values themselves (each finding is
listed in its masked form, so the report of a leak is no leak):

``id``
    an ID number: 18 characters (17 digits + digit/X) that are valid, or *near-valid* — a
    known area code and a real birth date, whatever the check digit (a mistyped number is
    still someone's); 15 digits with a known area code and a real ``YYMMDD`` date; an 18-digit
    window with a correct check digit inside a longer run of digits; and any ID given in
    ``ids=`` (normalised). Letters and Chinese may touch the number (``P3307…``, ``证号3307…号``).
``phone``
    a mobile number (``1[3-9]`` + 9 digits, ``138-1234-5678`` too), a landline written
    ``0577-61234567``, and any phone number given in ``phones=`` (its digits).
``name``
    any name given in ``names=`` (e.g. :func:`mask.pool_names`).

``jiuzhu run`` fails a run whose files hold an ``id`` or ``phone`` finding; the tests give the
names and IDs of their input as well.
"""
from __future__ import annotations

import datetime as _dt
import html
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..core import identity
from .mask import TOKEN_SPAN, mask_id_run, mask_phone, name_pattern

#: the files :func:`scan` reads
SCANNED_SUFFIXES = (".csv", ".tsv", ".txt", ".md", ".log", ".html", ".htm", ".svg", ".xml", ".json", ".ipynb",
                    ".yaml", ".yml", ".xlsx", ".xlsm", ".docx", ".parquet")
FINDING_COLUMNS = ["file", "kind", "found", "n"]

_TOKENS = re.compile(TOKEN_SPAN)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")
#: a run of digits (and upper-case X, as in "12" + an ID ending in X + "34") that may hold an ID
_RUN = re.compile(r"(?<![0-9])[0-9][0-9X]{14,}(?![0-9])")
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9](?:[-\s]?[0-9]{4}){2}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0[1-9][0-9]{1,2}-[0-9]{7,8}(?![0-9])")
_DIGIT_GROUPS = re.compile(r"[0-9]+(?:[-\s][0-9]+)*")
_TAG_END = re.compile(r"</(?:si|c|row|p|tc|tr)>")
_TAG = re.compile(r"<[^>]+>")


# --------------------------------------------------------------------------- reading
def _walk_json(v: Any, out: list[str]) -> None:
    if isinstance(v, str):
        out.append(v)
    elif isinstance(v, dict):
        for k, x in v.items():
            if isinstance(k, str) and k.startswith("image/"):
                continue  # base64 pictures
            out.append(str(k))
            _walk_json(x, out)
    elif isinstance(v, list):
        for x in v:
            _walk_json(x, out)
    elif v is not None:
        out.append(str(v))


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def file_text(path: str | Path) -> str:
    """The text of one file as :func:`scan` reads it (see module doc), NFKC-normalised."""
    p = Path(path)
    suf = p.suffix.lower()
    if suf in (".xlsx", ".xlsm", ".docx"):
        try:
            with zipfile.ZipFile(p) as z:
                xml = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        except zipfile.BadZipFile:
            xml = _decode(p.read_bytes())
        text = html.unescape(_TAG.sub("", _TAG_END.sub("\n", xml)))
    elif suf == ".parquet":
        text = pd.read_parquet(p).astype("str").to_csv(index=False)
    else:
        text = _decode(p.read_bytes())
        if suf in (".json", ".ipynb"):
            try:
                parts: list[str] = []
                _walk_json(json.loads(text), parts)
                text = "\n".join(parts)
            except ValueError:
                pass
        if suf in (".html", ".htm", ".svg", ".xml", ".ipynb", ".json"):
            text = html.unescape(_DATA_URI.sub(" ", text))
    return unicodedata.normalize("NFKC", text)


# --------------------------------------------------------------------------- finding
def _real_date(y: int, m: int, d: int) -> bool:
    try:
        day = _dt.date(y, m, d)
    except ValueError:
        return False
    return _dt.date(1900, 1, 1) <= day <= _dt.date(2100, 12, 31)


def is_near_valid(number: str) -> bool:
    """An 18-character number (17 digits + digit/X) with a known area code and a real birth
    date, whatever its check digit; or a 15-digit one with a known area and ``YYMMDD`` date."""
    n = number.upper()
    if len(n) == 15 and n.isdigit():
        return n[:6] in identity.known_area_codes() and _real_date(1900 + int(n[6:8]), int(n[8:10]), int(n[10:12]))
    if len(n) != 18 or not n[:17].isdigit() or not (n[17].isdigit() or n[17] == "X"):
        return False
    return n[:6] in identity.known_area_codes() and _real_date(int(n[6:10]), int(n[10:12]), int(n[12:14]))


def _normalised(values: Iterable[Any]) -> frozenset[str]:
    out = set()
    for v in values or ():
        n = identity.normalise(v)
        if n and len(n) == 18:
            out.add(n)
    return frozenset(out)


def find_ids(text: str, ids: Iterable[Any] = ()) -> list[str]:
    """The ID numbers written in ``text`` (normalised, one entry per occurrence): valid and
    near-valid ones (:func:`is_near_valid`), valid ones inside longer runs of digits, and the
    ``ids`` given. Pseudonym tokens are not read."""
    given = ids if isinstance(ids, frozenset) else _normalised(ids)
    t = _TOKENS.sub(" ", unicodedata.normalize("NFKC", str(text)).upper())
    found = []
    for m in _RUN.finditer(t):
        r = m.group(0).rstrip("X") if not _ID18.fullmatch(m.group(0)) else m.group(0)
        if (len(r) == 18 and _ID18.fullmatch(r)) or (len(r) == 15 and r.isdigit()):
            n = identity.normalise(r) or r
            if is_near_valid(r) or identity.is_valid(n) or n in given:
                found.append(n)
        elif len(r) > 15:
            for i in range(len(r) - 17):
                w = r[i:i + 18]
                if _ID18.fullmatch(w) and (identity.is_valid(w) or w in given):
                    found.append(w)
    return found


def find_phones(text: str, phones: Iterable[Any] = ()) -> list[str]:
    """Phone numbers written in ``text`` (their digits, one entry per occurrence): mobile and
    landline shapes, and the ``phones`` given (compared by their digits)."""
    given = phones if isinstance(phones, frozenset) else _phone_digits(phones)
    t = _TOKENS.sub(" ", unicodedata.normalize("NFKC", str(text)))
    found = [re.sub(r"\D", "", m.group(0)) for m in _MOBILE.finditer(t)]
    found += [re.sub(r"\D", "", m.group(0)) for m in _LANDLINE.finditer(t)]
    if given:
        shaped = set(found)
        for m in _DIGIT_GROUPS.finditer(t):
            groups = re.split(r"[-\s]", m.group(0))
            for i in range(len(groups)):
                acc = ""
                for j in range(i, len(groups)):
                    acc += groups[j]
                    if acc in given and acc not in shaped:
                        found.append(acc)
    return found


def _phone_digits(values: Iterable[Any]) -> frozenset[str]:
    out = set()
    for v in values or ():
        if isinstance(v, str):
            d = re.sub(r"\D", "", unicodedata.normalize("NFKC", v))
            if len(d) >= 7:
                out.add(d)
    return frozenset(out)


def find_names(text: str, names: Iterable[Any] | re.Pattern | None) -> list[str]:
    """The given ``names`` written in ``text`` (one entry per occurrence)."""
    pat = name_pattern(names)
    if pat is None:
        return []
    return [m.group(0) for m in pat.finditer(unicodedata.normalize("NFKC", str(text)))]


def scan_text(text: str, *, names: Iterable[Any] | re.Pattern | None = None, phones: Iterable[Any] = (),
              ids: Iterable[Any] = ()) -> pd.DataFrame:
    """:func:`scan` of one text: ``kind, found`` (masked) and ``n`` occurrences."""
    rows = []
    for kind, values, masker in (("id", find_ids(text, ids), mask_id_run), ("phone", find_phones(text, phones), mask_phone),
                                 ("name", find_names(text, names), lambda v: v[0] + "*" * (len(v) - 1))):
        if values:
            vc = pd.Series(values).value_counts(sort=False)
            rows += [{"kind": kind, "found": masker(v), "n": int(n)} for v, n in vc.items()]
    return pd.DataFrame(rows, columns=["kind", "found", "n"])


def files_under(*paths: str | Path, suffixes: tuple[str, ...] = SCANNED_SUFFIXES) -> list[Path]:
    """The files :func:`scan` reads under ``paths`` (files given directly are always read)."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in suffixes)
    return files


def scan(*paths: str | Path, names: Iterable[Any] | re.Pattern | None = None, phones: Iterable[Any] = (),
         ids: Iterable[Any] = (), suffixes: tuple[str, ...] = SCANNED_SUFFIXES) -> pd.DataFrame:
    """Personal data in the files under ``paths``: one row per file and distinct finding —
    ``file``, ``kind`` (``id``, ``phone``, ``name``), ``found`` (masked) and ``n`` (occurrences).
    Empty when nothing is found. See the module doc for what counts."""
    pat = name_pattern(names)
    given_ids, given_phones = _normalised(ids), _phone_digits(phones)
    frames = []
    for f in files_under(*paths, suffixes=suffixes):
        try:
            text = file_text(f)
        except (OSError, ValueError) as exc:  # unreadable: say so instead of passing it
            frames.append(pd.DataFrame([{"file": str(f), "kind": "unreadable", "found": type(exc).__name__, "n": 1}]))
            continue
        got = scan_text(text, names=pat, phones=given_phones, ids=given_ids)
        if len(got):
            frames.append(got.assign(file=str(f))[FINDING_COLUMNS])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FINDING_COLUMNS)


def scan_outputs(directory: str | Path, *, names: Iterable[Any] | re.Pattern | None = None,
                 phones: Iterable[Any] = (), ids: Iterable[Any] = (),
                 suffixes: tuple[str, ...] = SCANNED_SUFFIXES) -> pd.DataFrame:
    """:func:`scan` summed per file: ``file, ids, phones, names`` (occurrences), one row per
    file holding any; empty when the folder is clean."""
    found = scan(directory, names=names, phones=phones, ids=ids, suffixes=suffixes)
    cols = ["file", "ids", "phones", "names"]
    if not len(found):
        return pd.DataFrame(columns=cols)
    w = found.pivot_table(index="file", columns="kind", values="n", aggfunc="sum", fill_value=0)
    w = w.rename(columns={"id": "ids", "phone": "phones", "name": "names"}).reindex(columns=cols[1:], fill_value=0)
    return w.reset_index()[cols]


__all__ = ["FINDING_COLUMNS", "SCANNED_SUFFIXES", "file_text", "files_under", "find_ids", "find_names", "find_phones",
           "is_near_valid", "scan", "scan_outputs", "scan_text"]
