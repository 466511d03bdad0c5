"""Post netsync's markdown to GitLab from a CI job: the merge request's plan as one note edited
in place, and the nightly drift as one issue (opened, updated, closed). Standard library only.

Commit it next to .gitlab-ci.yml (as .gitlab/netsync_gitlab.py). It needs a project access
token with the `api` scope in NETSYNC_GITLAB_TOKEN (CI_JOB_TOKEN cannot write notes or issues);
without one it says so and exits 0, and the plan stays in the job's artifacts.

    python3 .gitlab/netsync_gitlab.py note plan.md PLAN_EXIT_CODE
    python3 .gitlab/netsync_gitlab.py drift drift.md DRIFT_EXIT_CODE
"""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

MARKER = "<!-- netsync-plan -->"
LABEL = "netsync-drift"
LIMIT = 1_000_000  # GitLab's longest note or description


class GitLab:
    def __init__(self, api: str, project: str, token: str) -> None:
        self.base = f"{api.rstrip('/')}/projects/{urllib.parse.quote(project, safe='')}"
        self.token = token

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("PRIVATE-TOKEN", self.token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"null")

    def pages(self, path: str) -> list[Any]:
        items, page = [], 1
        while True:
            sep = "&" if "?" in path else "?"
            batch = self.call("GET", f"{path}{sep}per_page=100&page={page}")
            items += batch
            if len(batch) < 100:
                return items
            page += 1


def fit(text: str, limit: int = LIMIT) -> str:
    note = "\n\n> **Truncated**: the full text is in the job's artifacts.\n"
    return text if len(text) <= limit else text[: limit - len(note)] + note


def run_url() -> str:
    return os.environ.get("CI_JOB_URL", "")


def note(gitlab: GitLab, markdown: str, code: str) -> None:
    """The plan as the merge request's one netsync note: updated when there, else created."""
    iid = os.environ["CI_MERGE_REQUEST_IID"]
    failed = "" if code == "0" else f"> **netsync plan failed** (exit {code}): see the job log.\n\n"
    body = fit(
        f"{MARKER}\n### netsync plan\n\n{failed}{markdown or '_no plan printed_'}\n\n"
        f"<sub>Only what this merge request changes; the merge runs an unscoped plan and "
        f"applies it. Job: {run_url()}</sub>\n"
    )
    notes = gitlab.pages(f"/merge_requests/{iid}/notes?sort=asc")
    mine = [n for n in notes if MARKER in (n.get("body") or "") and not n.get("system")]
    if mine:
        gitlab.call("PUT", f"/merge_requests/{iid}/notes/{mine[0]['id']}", {"body": body})
    else:
        gitlab.call("POST", f"/merge_requests/{iid}/notes", {"body": body})


def drift(gitlab: GitLab, markdown: str, code: str) -> None:
    """Exit 2 opens or updates the one drift issue; exit 0 closes it; anything else no-op."""
    label = urllib.parse.quote(LABEL)
    issues = gitlab.pages(f"/issues?state=opened&labels={label}")
    issue = issues[0] if issues else None
    if code == "2":
        body = fit(
            f"The live network differs from the config on the default branch ({run_url()}). "
            "Change the config to accept it, or re-run the apply job to restore it.\n\n" + markdown
        )
        if issue:
            gitlab.call("PUT", f"/issues/{issue['iid']}", {"description": body})
        else:
            title = "netsync: the live network drifted from git"
            gitlab.call("POST", "/issues", {"title": title, "description": body, "labels": LABEL})
    elif code == "0" and issue:
        gitlab.call(
            "POST", f"/issues/{issue['iid']}/notes", {"body": "No drift any more: closing."}
        )
        gitlab.call("PUT", f"/issues/{issue['iid']}", {"state_event": "close"})


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[1] not in ("note", "drift"):
        print(__doc__, file=sys.stderr)
        return 2
    token = os.environ.get("NETSYNC_GITLAB_TOKEN")
    if not token:
        print(
            "NETSYNC_GITLAB_TOKEN is not set: nothing posted (see the artifacts)", file=sys.stderr
        )
        return 0
    path = Path(argv[2])
    markdown = path.read_text(encoding="utf-8") if path.exists() else ""
    gitlab = GitLab(os.environ["CI_API_V4_URL"], os.environ["CI_PROJECT_ID"], token)
    (note if argv[1] == "note" else drift)(gitlab, markdown, argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
