"""Kernel pieces of the HTTP edge, each usable on its own (import the modules directly).

- `body_limit`: a pure ASGI middleware that bounds request bodies per route and runs a
  precheck (API key, rate limits) before any body byte is read.
- `rate_limit`: in-memory moving-window limits with the `limits` library; 429 + Retry-After.
- `routes`: which OpenAPI operation a request is for, before the router runs.
- `gate`: the precheck `shared.http` installs: rate limits and authentication.
- `json_body`: the route class that lets a body model validate its raw JSON in one pass.
- `echo`: bounds on what error bodies quote back from the request.
- `settings`: the limits, from the environment (`PINGYI_BODY_LIMIT`, `PINGYI_RATE_*`).

This package is imported by `shared.settings`, so it must not import it back; only `gate`
depends on the rest of the kernel (`shared.auth`).
"""
