"""Evaluation: models against the hidden truth, calibration against the published figures, comparison."""
