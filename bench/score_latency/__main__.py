from __future__ import annotations

import sys

from bench.score_latency import main

sys.exit(main())
