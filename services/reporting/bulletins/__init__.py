"""Bulletins (通报) generated from inspection's supervised-task facts (督办, seed 001):
每周一报 (weekly) and 每月双报 (monthly: progress and difficulties)."""
