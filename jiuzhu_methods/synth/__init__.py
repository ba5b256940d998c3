"""合成县 — synthetic counties with hidden truth.

``generate(county, scale=0.02, seed=7)`` simulates one county's population and tells a
story for each harm event (crime or tort): victims are harmed, the case passes through the
procuratorate and the court, compensation is paid, settled or fails in enforcement (终本),
households fall into hardship and reach (some of) the monthly registry lists late; some
parties already received judicial or social aid, some petition. Every source system sees
these persons through its own identity noise. The truth (``truth_persons``,
``truth_links``, ``truth_victims``) says who is who and who was eligible.

Numbers come from ``synthetic/profiles/<county>.yaml`` (over ``_defaults.yaml``); identity
noise from ``synthetic/noise.yaml``; names, document templates and the eligibility
conditions from YAML files in this package. Same seed and parameters → byte-identical
Parquet files; nothing depends on today's date.

>>> pool = generate("panan", scale=0.005, seed=1)
>>> pool.meta["county_code"]
'330727'
"""
from .build import generate
from .profiles import COUNTIES, load_profile, raw_profile

__all__ = ["COUNTIES", "generate", "load_profile", "raw_profile"]
