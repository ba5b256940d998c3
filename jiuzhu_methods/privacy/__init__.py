"""个人信息保护 — the one home of masking, pseudonymisation, formula-safe exports and the
output scanner. Every writer of the package (reports and notebooks, referral lists and
letters, the loading ledger and ``jiuzhu validate``'s output, training cards, exports) masks
through this package; ``jiuzhu run`` and the tests scan through it.

* :mod:`.mask` — the masking rules: :func:`mask_text` (free text: ID-like runs glued to
  letters or Chinese, full-width, 15/18 digits, lower ``x``; phones; the names given),
  :func:`mask_frame` (ID, name, phone, address and record-key columns, free text),
  :func:`record_key` / :func:`record_keys` (a key holding an ID becomes the row it came from:
  ``当事人.csv 第12行``), :func:`mask_ledger` / :func:`mask_vocabulary` (the loading ledger),
  :func:`pool_names` / :func:`pool_phones` (what the pool knows, for text and for the scan).
* :mod:`.export` — :func:`excel_safe` (the one formula neutraliser), :func:`to_excel`,
  :func:`to_csv` (masked unless ``raw=True``).
* :mod:`.pseudonym` — keyed tokens (HMAC-SHA256) for partner linkage: :func:`load_key`,
  :func:`token`, :func:`pseudonymise_pool`; tokens are only as safe as the key (see there).
* :mod:`.scanner` — :func:`scan` / :func:`scan_outputs`: IDs (valid and near-valid, glued,
  prefixed, full-width), phones and given names in csv, txt, md, html, json, ipynb, xlsx,
  docx and Parquet files.

Raw values only with an explicit option (``raw=True`` / ``masked=False``), never by default.

Examples
--------
>>> import pandas as pd
>>> mask_frame(pd.DataFrame({"name": ["张三丰"], "id_number": ["11010519491231002x"]})).values.tolist()
[['张**', '1101**********002X']]
>>> excel_safe_value('=HYPERLINK("http://x","y")')
'\\'=HYPERLINK("http://x","y")'
"""
from __future__ import annotations

from . import export, mask, pseudonym, scanner
from .export import *  # noqa: F401,F403
from .mask import *  # noqa: F401,F403
from .pseudonym import *  # noqa: F401,F403
from .scanner import *  # noqa: F401,F403

__all__ = sorted(set(export.__all__) | set(mask.__all__) | set(pseudonym.__all__) | set(scanner.__all__))
