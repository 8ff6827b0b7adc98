"""Campaign-round scoring: schemes registered as events, the scheme each campaign is scored
by, the upstream messages the engine folds (kept in scoring's own log, so a run can be
recomputed and exported from scoring's store alone), and the runs computed by the engine."""
