"""Campaign-round results (from `scoring.round.scored`) and their publication (发布)."""
