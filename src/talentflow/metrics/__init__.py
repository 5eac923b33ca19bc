"""Figures from inferred careers: flows, rates, composition, pipelines, with bootstrap intervals and suppression."""
