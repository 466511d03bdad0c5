"""The benchmark is not a test: keep pytest from collecting anything here (run bench.py)."""

collect_ignore_glob = ["*"]
