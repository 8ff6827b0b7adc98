"""The scoring engine: one pure function from (scheme, the ordered contract messages it
consumed) to a campaign round's results, called alike by the live service, by replay and by
the offline audit verifier.

It depends on the contract models (`shared.contracts`), canonical JSON (`shared.canonical`),
pydantic and the standard library only: no database, no server, no other service's code
(tests/scoring/engine/test_purity.py holds it to that).

- `inputs`: the round inputs document the fold produces and the computation reads.
"""
