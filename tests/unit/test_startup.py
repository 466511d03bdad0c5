"""What starting netsync imports: nothing a plan of a valid config does not use. jsonschema
(45-95 ms) is imported only for a config with an error or a plan file; httpx's command-line
client (rich, pygments: 50-80 ms where installed) never."""

from __future__ import annotations

import subprocess
import sys


def _python(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )


def test_starting_netsync_imports_neither_jsonschema_nor_httpx_cli():
    done = _python(
        "import sys; from netsync.cli import main; import httpx; "
        "print([m for m in ('jsonschema', 'rich', 'httpx._main') if sys.modules.get(m)])"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_httpx_cli_stub_says_what_it_needs():
    """httpx's own fallback for a missing CLI, which netsync relies on, still exists."""
    done = _python("import netsync, httpx; httpx.main()")
    assert done.returncode == 1
    assert "httpx[cli]" in done.stdout
