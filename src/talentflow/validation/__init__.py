"""Validation of talentflow figures against published data sets and figures."""
