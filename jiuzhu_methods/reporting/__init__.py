"""Reporting: the report helpers the notebooks call, the notebook runner (``jiuzhu run``), charts."""
