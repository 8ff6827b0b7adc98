"""Jurisdiction summaries (辖区汇总): per jurisdiction and campaign round, what the round's
results say about the units located there, with the rectification and complaint casework
that inspection published."""
