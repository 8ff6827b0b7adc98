"""A unit's trend across cycles (历次评议): its results in every round of the campaigns of
one program, drawn as a chart and set in the unit's dossier PDF and page."""
