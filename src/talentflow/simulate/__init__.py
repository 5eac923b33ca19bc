"""Ground truth for career inference: synthetic careers with known moves (careers) and a scorer (score)."""
