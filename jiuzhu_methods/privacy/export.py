"""公式安全导出 — spreadsheet exports that are masked and cannot run as formulas.

:func:`excel_safe` is the one formula neutraliser of the package (the referral lists, the
ledger, training workbooks and every export use it): a text cell that a spreadsheet would run
as a formula — starting with ``=``, ``+``, ``-``, ``@``, tab, carriage return or line feed,
also after leading spaces or in full-width form (``＝``) — is prefixed with ``'``; characters
Excel cannot store are removed; cells longer than Excel's 32 767 characters are cut.
:func:`to_excel` / :func:`to_csv` mask (:func:`mask.mask_frame`, unless ``raw=True``) and
neutralise.

Examples
--------
>>> excel_safe_value('=HYPERLINK("http://x","y")')
'\\'=HYPERLINK("http://x","y")'
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .mask import RecordKeys, mask_frame

EXCEL_MAX_CELL = 32767
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def excel_safe_value(v: Any) -> Any:
    """One cell made safe for a spreadsheet (see module doc); non-text values unchanged."""
    if not isinstance(v, str):
        return v
    s = _ILLEGAL.sub("", v)
    probe = unicodedata.normalize("NFKC", s).lstrip(" \u3000")
    if s.startswith(FORMULA_START) or probe.startswith(FORMULA_START):
        s = "'" + s
    if len(s) > EXCEL_MAX_CELL:
        s = s[: EXCEL_MAX_CELL - 12] + "…[truncated]"
    return s


def excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot run as formulas (column names too)."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if pd.api.types.is_string_dtype(s) or s.dtype == object:
            out[c] = s.map(excel_safe_value).astype(s.dtype if s.dtype != object else object)
    out.columns = [excel_safe_value(str(c)) for c in out.columns]
    return out


def sheet_names(names: Iterable[Any]) -> list[str]:
    """Excel sheet names for ``names``: the characters Excel forbids replaced by ``_``, cut to
    31 characters, made unique."""
    used: list[str] = []
    for name in names:
        sn = re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31] or "sheet"
        while sn in used:
            sn = (sn[:28] + f"_{len(used)}")[:31]
        used.append(sn)
    return used


def to_excel(frames: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path, *, raw: bool = False,
             names: Iterable[Any] | None = None, keys: RecordKeys | None = None) -> Path:
    """Write one frame or ``{sheet: frame}`` to ``.xlsx``: masked (unless ``raw=True``; ``names``
    and ``keys`` as :func:`mask.mask_frame`) and formula-safe. Sheet names are cut to Excel's 31
    characters."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    sheets = {"data": frames} if isinstance(frames, pd.DataFrame) else dict(frames)
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        for sn, df in zip(sheet_names(sheets), sheets.values()):
            safe = excel_safe(mask_frame(df, raw=raw, names=names, keys=keys))
            # openpyxl would store a leading '=' as a formula: excel_safe prefixed them all
            safe.to_excel(xw, sheet_name=sn, index=False)
    return p


def to_csv(df: pd.DataFrame, path: str | Path, *, raw: bool = False, names: Iterable[Any] | None = None,
           keys: RecordKeys | None = None) -> Path:
    """Write ``df`` as UTF-8-with-BOM CSV (opens in Excel with Chinese intact), masked unless
    ``raw=True``, formula-safe."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    excel_safe(mask_frame(df, raw=raw, names=names, keys=keys)).to_csv(p, index=False, encoding="utf-8-sig",
                                                                        lineterminator="\r\n")
    return p


__all__ = ["EXCEL_MAX_CELL", "FORMULA_START", "excel_safe", "excel_safe_value", "sheet_names", "to_csv", "to_excel"]
