"""netsync: GitOps for law-firm referral networks (CaseXchange, Smokeball, Trackops)."""

import sys

__version__ = "0.1.0"

# `import httpx` also imports httpx's own command-line client, and with it rich and pygments
# wherever they are installed: 50-80 ms of every netsync run, for a program netsync never
# calls. A None entry makes that one import fail, which httpx expects (it defines a stub
# `httpx.main` instead). Nothing changes if httpx was imported before netsync.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
