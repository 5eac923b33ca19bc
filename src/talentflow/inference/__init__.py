"""Career inference: residence years and events from affiliation observations (pure SQL/DataFrame steps)."""
