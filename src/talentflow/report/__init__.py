"""The self-contained HTML report (``talentflow report``): see ``talentflow.report.build``."""
