"""talentflow: an open observatory of global AI talent migration and regional AI specialization."""

__version__ = "0.1.0"
