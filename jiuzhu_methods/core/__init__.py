"""Shared building blocks the published models are built from (issue #17: models import core only,
never each other).

* :mod:`.params`     — the package's parameter and data files;
* :mod:`.values`     — membership and joined strings per row / per group;
* :mod:`.persons`    — one row per person;
* :mod:`.registries` — which registry snapshot rows count, one row per person per registry;
* :mod:`.collide`    — 碰撞: candidates against a table of persons (hit, match, collected values).

Identity numbers, linkage and keyword rules are the modules ``identity``, ``linkage`` and
``keywords`` of the package root for now.
"""
