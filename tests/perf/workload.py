"""The benchmark's synthetic referral network: the sandbox seed (the live world), the netsync
config (the desired state), what the plan must show, and the fewest requests any client needs.

Everything is deterministic: the same scale gives byte-identical files, so two sandboxes seeded
alike hold the same world and a plan file made against one applies against the other.

At scale 1 the network is the one of issue 10: 2,000 outbound and 1,000 inbound relationships,
300 routing rules, 500 cases, 1,000 Smokeball matters and 300 Trackops case requests, 5,100
declared resources, 510 of them (10 %) drifted. Drift is chosen by index modulo a period, so every
scale keeps the same mix (see DRIFT).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from netsync.config.limits import MAX_VALUES
from netsync.sandbox.defaults import BUILTIN_FIRMS

BASE_SIZES = {
    "outbound": 2000,
    "inbound": 1000,
    "rules": 300,
    "cases": 500,
    "matters": 1000,
    "case_requests": 300,
}
# netsync's config limit: keys, values, mappings and lists of all files together. "full"
# fields fit up to scale 16.8, "lean" ones up to 34.
CONFIG_VALUE_LIMIT = MAX_VALUES
PERCENT_BUDGET = Decimal(80)  # the declared sendingPercentage values add up to at most this

# section -> (period, {offset: kind of drift}); index i drifts when i % period is an offset.
DRIFT: dict[str, tuple[int, dict[int, str]]] = {
    "outbound": (40, {7: "create", 1: "percent", 9: "percent", 17: "days"}),  # 2.5 + 7.5 %
    "inbound": (50, {3: "accept", 11: "text", 21: "text", 31: "text", 41: "text"}),  # 2 + 8 %
    "rules": (60, {13: "create", 5: "target", 17: "target", 29: "target", 41: "cond", 53: "cond"}),
    "cases": (10, {4: "rerefer"}),
    "matters": (10, {6: "fee"}),
    "case_requests": (60, {19: "create", 37: "contact", 2: "due", 8: "due", 14: "due", 26: "due"}),
}
ME = "a1b2c3d4-5678-9abc-def0-1234567890ab"
WHITFIELD = "e5f6a7b8-9012-3cde-f456-7890abcdef01"  # built-in firm: an undeclared pending request
JURISDICTIONS = ("CA", "NY", "TX", "FL", "NV", "WA", "IL", "GA")
CASE_TYPES = ("Personal Injury", "Medical Malpractice", "Product Liability", "Wrongful Death")
REFERRAL_TYPE = "Google"
CASES_PAGE, MATTERS_PAGE, TRACKOPS_PAGE = 100, 500, 100  # the vendors' largest pages


def uid(kind: int, n: int) -> str:
    """A readable deterministic UUID: kind in the first group, the index in the last."""
    return f"{kind:08x}-0000-4000-8000-{n:012x}"


def drift(section: str, i: int) -> str | None:
    period, offsets = DRIFT[section]
    return offsets.get(i % period)


def count_values(value: Any) -> int:
    """netsync's count of a YAML value: every scalar, mapping and list, keys included."""
    if isinstance(value, dict):
        return 1 + sum(1 + count_values(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(count_values(v) for v in value)
    return 1


def to_yaml(value: Any) -> str:
    """A flow-style YAML 1.2 value (JSON scalars are valid YAML and keep their types)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {to_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_yaml(v) for v in value) + "]"
    return json.dumps(value)


def section_text(header: list[str], entries: dict[str, Any], indent: int) -> str:
    pad = " " * indent
    lines = header + [f"{pad}{json.dumps(k)}: {to_yaml(v)}" for k, v in entries.items()]
    return "\n".join(lines) + "\n"


@dataclass
class Minimum:
    """The fewest requests one vendor needs, by rate-limit bucket (CaseXchange re-referrals use
    the Bearer token, whose window is separate from the API key's)."""

    buckets: Counter = field(default_factory=Counter)
    parts: dict[str, int] = field(default_factory=dict)  # what the number is made of

    def add(self, what: str, n: int, bucket: str = "key") -> None:
        if n:
            self.buckets[bucket] += n
            self.parts[what] = self.parts.get(what, 0) + n

    @property
    def total(self) -> int:
        return sum(self.buckets.values())


class Workload:
    """The network at one scale; `fields` is "full" (every relationship field, as the quickstart
    declares them) or "lean" (the fewest a valid config allows: one managed field per
    relationship, case and matter, one condition per rule; case requests have only required
    fields and due_on either way), for scales where "full" passes netsync's config limit."""

    def __init__(self, scale: float = 1.0, fields: str = "auto") -> None:
        self.scale = scale
        self.sizes = {k: max(1, round(v * scale)) for k, v in BASE_SIZES.items()}
        if fields == "auto":
            fields = "full" if self._build("full").values <= CONFIG_VALUE_LIMIT else "lean"
        self.fields = fields
        built = self._build(fields)
        self.config, self.values, self.seed = built.config, built.values, built.seed
        self.expected, self.changed = built.expected, built.changed
        self.scoped_firm = built.scoped_firm
        self.named, self.unlisted_targets = built.named, len(built.unlisted)

    @property
    def resources(self) -> int:
        return sum(self.sizes.values())

    # --- generation ---------------------------------------------------------------------------

    def _build(self, fields: str) -> _Built:
        b = _Built(self.sizes, fields == "full")
        b.generate()
        return b

    def files(self, scoped_change: bool = False) -> dict[str, str]:
        """The config files; with `scoped_change`, one undrifted outbound relationship has its
        sendingPercentage halved (a lower share keeps the sum within 100)."""
        config = self.config
        if scoped_change:
            network = json.loads(json.dumps(config["network"]))
            entry = network["outbound"][self.scoped_firm]
            entry["sendingPercentage"] = float(Decimal(str(entry["sendingPercentage"])) / 2)
            config = {**config, "network": network}
        return render_files(config)

    def summary_line(self) -> str:
        e = self.expected
        return (
            f"Plan: {e['create']} to create, {e['update']} to update, {e['re-refer']} to "
            f"re-refer, 0 to delete."
        )

    # --- the fewest requests --------------------------------------------------------------------

    def plan_minimum(self) -> dict[str, Minimum]:
        """Reads a plan of every declared resource needs, with the cheapest read each vendor
        offers: CaseXchange has no list of relationship settings (one GET per declared firm,
        also for one to create), one list of routing rules, sent cases in pages of 100;
        Smokeball matters in pages of 500 (or single GETs, whichever is fewer) and the referral
        types when a matter declares one; Trackops a `mode=count` request and pages of 100 (or
        one GET per reference), plus one GET confirming each reference missing from the list
        before a create is planned."""
        s, live = self.sizes, self.live_counts()
        cx, sb, to = Minimum(), Minimum(), Minimum()
        cx.add("GET /firms/me", 1)
        cx.add("GET /network/pending", 1)
        cx.add("GET /network/outbound/{id}", s["outbound"])
        cx.add("GET /network/inbound/{id}", s["inbound"])
        cx.add("GET /routing/rules", 1)
        cx.add("GET /sent-cases pages", min(s["cases"], pages(live["cases"], CASES_PAGE)))
        if self.declares_referral_type():
            sb.add("GET /referraltypes", 1)
        sb.add("GET /matters pages", min(s["matters"], pages(live["matters"], MATTERS_PAGE)))
        creates = self.expected_by("case_requests", "create")
        listing = 1 + pages(live["case_requests"], TRACKOPS_PAGE) + creates
        to.add("GET case requests (count, pages, confirm misses)", min(s["case_requests"], listing))
        self.review_minimum(cx)
        return {"casexchange": cx, "smokeball": sb, "trackops": to}

    def review_minimum(self, cx: Minimum) -> None:
        """The reads of the plan's review (routing impact and firm-profile checks, default
        settings): the case types; each outbound create's `/firms/{id}` (a firm not on the
        platform is an error); for each firm not in the network yet that a rule or re-referral
        targets, a directory search for its name (or the whole directory, if fewer pages); a
        re-referred case's own GET (the list has no case type); and one `/routing/evaluate`
        per case profile, up to the default --impact-limit of 50."""
        c = self.changed
        cx.add("GET /case-types", 1)
        cx.add("GET /firms/{id} (outbound creates)", c["outbound"]["create"])
        # a target's profile: a directory search for its name, or the whole directory
        directory = pages(len(self.seed["firms"]) + len(BUILTIN_FIRMS), 100)
        cx.add(
            "GET /firms/available?source=directory",
            min(directory, self.unlisted_targets) if self.unlisted_targets else 0,
        )
        cx.add("GET /sent-cases/{id} (re-referred)", c["cases"]["re-refer"])
        if c["rules"]["create"] or c["rules"]["update"]:
            profiles = (len(self.named["caseType"]) + 1) * (len(self.named["jurisdiction"]) + 1)
            cx.add("GET /routing/evaluate", min(profiles, 50))

    def apply_minimum(self) -> dict[str, Minimum]:
        """Requests applying the saved plan needs: the re-read of every changed resource that a
        plan file requires before any write (docs/apply.md, cheapest reads as above), one write
        per change, and the reads the SPEC requires around writes: the rule list before each
        whole-rule PUT, the matter before each whole-matter PUT and once after it to confirm
        (Smokeball answers 202), the record before a Trackops PUT of client/contact."""
        live, c = self.live_counts(), self.changed
        cx, sb, to = Minimum(), Minimum(), Minimum()
        out = c["outbound"]["create"] + c["outbound"]["update"]
        inbound, rules = c["inbound"]["update"], c["rules"]["update"]
        rule_creates, rerefers = c["rules"]["create"], c["cases"]["re-refer"]
        cx.add("GET /firms/me", 1)
        cx.add("GET /network/pending", 1 if out or inbound else 0)
        cx.add("re-read outbound", out)
        cx.add("re-read inbound", inbound)
        cx.add("re-read rule list", 1 if rules or rule_creates else 0)
        cx.add("re-read cases", min(rerefers, pages(live["cases"], CASES_PAGE)))
        cx.add("POST/PUT outbound", out)
        cx.add("PUT inbound", inbound)
        cx.add("POST rules", rule_creates)
        cx.add("GET rule list before PUT", rules)
        cx.add("PUT rules", rules)
        cx.add("POST re-refer", rerefers, bucket="bearer")
        matters = c["matters"]["update"]
        if matters and self.declares_referral_type():
            sb.add("GET /referraltypes", 1)
        sb.add("re-read matters", min(matters, pages(live["matters"], MATTERS_PAGE)))
        sb.add("GET matter before PUT", matters)
        sb.add("PUT matter", matters)
        sb.add("GET matter to confirm", matters)
        cr_changed = c["case_requests"]["create"] + c["case_requests"]["update"]
        listing = 1 + pages(live["case_requests"], TRACKOPS_PAGE) + c["case_requests"]["create"]
        to.add("re-read case requests", min(cr_changed, listing))
        to.add("POST case request", c["case_requests"]["create"])
        to.add("GET record before client/contact PUT", c["case_requests"]["whole"])
        to.add("PUT case request", c["case_requests"]["update"])
        return {"casexchange": cx, "smokeball": sb, "trackops": to}

    def scoped_minimum(self) -> dict[str, Minimum]:
        """A plan of the one changed outbound relationship: its GET, plus the key's firm and
        the pending list every network read needs."""
        cx = Minimum()
        cx.add("GET /firms/me", 1)
        cx.add("GET /network/pending", 1)
        cx.add("GET /network/outbound/{id}", 1)
        return {"casexchange": cx, "smokeball": Minimum(), "trackops": Minimum()}

    def live_counts(self) -> dict[str, int]:
        s = self.sizes
        return {
            "cases": s["cases"],
            "matters": s["matters"],
            # the declared records that exist, plus as many undeclared ones as are to create
            "case_requests": s["case_requests"],
        }

    def declares_referral_type(self) -> bool:
        return self.fields == "full"

    def expected_by(self, section: str, action: str) -> int:
        return self.changed[section][action]


def pages(records: int, size: int) -> int:
    return max(1, math.ceil(records / size))


def render_files(config: dict[str, Any]) -> dict[str, str]:
    head = [
        "# Generated by tests/perf/workload.py: the benchmark network (issue 10).",
        "version: 1",
        "",
        "providers:",
        "  casexchange: {base_url: https://api.casexchange.com}",
        "  smokeball: {region: us, confirm_timeout: 30}",
        "  trackops: {base_url: https://acme.viewcases.com}",
        "",
        "settings:",
        "  safety: {max_change_percent: 5}",
        "  ignore_fields: {smokeball_matter: [referralAgreementFeeComment]}",
        "",
    ]
    files = {"netsync.yaml": section_text(head + ["firms:"], config["firms"], 2)}
    network = section_text(["network:", "  pending: report", "  outbound:"], {}, 4)
    network += section_text([], config["network"]["outbound"], 4)
    network += section_text(["  inbound:"], config["network"]["inbound"], 4)
    files["network.yaml"] = network
    rules_head = ["routing:", "  prune: false", '  ignore: ["Legacy catch-all"]', "  rules:"]
    files["routing.yaml"] = section_text(rules_head, config["routing"]["rules"], 4)
    files["cases.yaml"] = section_text(["cases:"], config["cases"], 2)
    files["matters.yaml"] = section_text(["matters:"], config["matters"], 2)
    files["case_requests.yaml"] = section_text(["case_requests:"], config["case_requests"], 2)
    return files


class _Built:
    """One generation pass: the seed, the config dict and the expected changes."""

    def __init__(self, sizes: dict[str, int], full: bool) -> None:
        self.sizes, self.full = sizes, full
        self.seed: dict[str, Any] = {"me": {"id": ME, "name": "Acme Law Group"}}
        self.config: dict[str, Any] = {}
        self.changed: dict[str, Counter] = {k: Counter() for k in BASE_SIZES}
        self.expected: Counter = Counter()
        self.values = 0
        self.scoped_firm = ""
        # What the plan's review reads (routing impact, firm-profile checks): the values rule
        # conditions name on either side, and the firms checked that are not in the network yet.
        self.named: dict[str, set[str]] = {"caseType": set(), "jurisdiction": set()}
        self.creates: set[str] = set()
        self.unlisted: set[str] = set()  # firms the plan creates that rules or re-referrals target

    def change(self, section: str, action: str) -> None:
        self.changed[section][action] += 1
        self.expected[action] += 1

    def generate(self) -> None:
        s = self.sizes
        self.out_firms = [uid(0x10, i) for i in range(s["outbound"])]
        self.in_firms = [uid(0x20, i) for i in range(s["inbound"])]
        firms = [
            {
                "id": f,
                "name": f"{'Outbound' if n == 0 else 'Inbound'} Firm {i:05d}",
                "jurisdictions": [JURISDICTIONS[i % len(JURISDICTIONS)]],
                "caseTypes": [CASE_TYPES[i % len(CASE_TYPES)]],
            }
            for n, group in enumerate((self.out_firms, self.in_firms))
            for i, f in enumerate(group)
        ]
        self.seed["firms"] = firms
        # Every 20th outbound firm has an alias, used as its key and wherever it is targeted.
        self.alias = {f: f"firm{i:05d}" for i, f in enumerate(self.out_firms) if i % 20 == 0}
        self.config["firms"] = {a: f for f, a in self.alias.items()}
        self.config["network"] = {"outbound": self.outbound(), "inbound": self.inbound()}
        self.config["routing"] = {"rules": self.rules()}
        self.config["cases"] = self.cases()
        self.config["matters"] = self.matters()
        self.config["case_requests"] = self.case_requests()
        self.values = count_values(self.config) + 40  # + the fixed head of netsync.yaml
        self.seed["referral_types"] = [
            {"id": "5e0c6f3a-0001-4000-8000-000000000001", "name": REFERRAL_TYPE},
            {"id": "5e0c6f3a-0001-4000-8000-000000000007", "name": "Other"},
        ]

    def key(self, firm: str) -> str:
        return self.alias.get(firm, firm)

    def outbound(self) -> dict[str, Any]:
        n = self.sizes["outbound"]
        percent = (PERCENT_BUDGET / n).quantize(Decimal("0.000001"), rounding=ROUND_DOWN)
        p = float(percent)
        live, config = {}, {}
        for i, firm in enumerate(self.out_firms):
            kind = drift("outbound", i)
            want = {
                "description": f"Partner {i:05d}",
                "sendingPercentage": p,
                "daysForUnderEvaluation": 14,
                "daysForInvestigating": 30,
                "referralInstructions": "Send the police report and medical records",
            }
            have = dict(want)
            if kind == "percent":  # half raise, half lower the share
                have["sendingPercentage"] = float(percent * 2 if i % 80 < 40 else percent / 2)
            elif kind == "days":
                have["daysForInvestigating"] = 45
                if not self.full:  # lean configs manage only the share
                    have["sendingPercentage"] = float(percent / 2)
            if kind != "create":
                live[firm] = {"inNetwork": True, **have}
            else:
                self.creates.add(firm)
            if kind:
                self.change("outbound", "create" if kind == "create" else "update")
            elif not self.scoped_firm:
                self.scoped_firm = self.key(firm)
            config[self.key(firm)] = want if self.full else {"sendingPercentage": p}
        self.seed["outbound"] = live
        return config

    def inbound(self) -> dict[str, Any]:
        live, config, pending = {}, {}, []
        for i, firm in enumerate(self.in_firms):
            kind = drift("inbound", i)
            want = {
                "status": "active",
                "description": f"Sends us cases ({i:05d})",
                "referralInstructions": "Send cases via API with full intake details",
            }
            if kind == "accept":
                pending.append(
                    {
                        "firmId": firm,
                        "direction": "inbound",
                        "requestedDate": "2026-03-28T11:15:00.000Z",
                    }
                )
                config[firm] = want if self.full else {"status": "active"}
            else:
                have = dict(want)
                if kind == "text":
                    have["referralInstructions"] = "Email the intake team first"
                have.pop("status")
                live[firm] = {"inNetwork": True, **have}
                lean = {"referralInstructions": want["referralInstructions"]}
                config[firm] = want if self.full else lean
            if kind:
                self.change("inbound", "update")
        pending.append(
            {"firmId": WHITFIELD, "direction": "inbound", "requestedDate": "2026-03-30T08:05:00Z"}
        )
        self.seed["inbound"], self.seed["pending"] = live, pending
        return config

    def rules(self) -> dict[str, Any]:
        live, config = [], {}
        n_out = len(self.out_firms)
        for i in range(self.sizes["rules"]):
            kind = drift("rules", i)
            name = f"Route {i:05d}"
            conditions = [
                {"field": "caseType", "operator": "in", "value": [CASE_TYPES[i % 4]]},
                {"field": "jurisdiction", "operator": "eq", "value": JURISDICTIONS[i % 8]},
            ]
            if not self.full:  # conditions are required: lean rules have one
                conditions = conditions[1:]
            target = self.out_firms[(i * 7) % n_out]
            want = {
                "conditions": conditions,
                "targetFirmId": self.key(target),
                "priority": i + 1,
                "isActive": True,
            }
            have = {**want, "targetFirmId": target}
            if i % 2:  # same conditions in another order: a no-op
                have["conditions"] = list(reversed(conditions))
            if kind == "target":
                have["targetFirmId"] = self.out_firms[(i * 7 + 1) % n_out]
            elif kind == "cond":
                have["conditions"] = [*conditions[:-1], {**conditions[-1], "value": "ZZ"}]
            if kind != "create":
                live.append({"id": uid(0x30, i), "name": name, **have})
            for condition in [*conditions, *(have["conditions"] if kind != "create" else [])]:
                values = condition["value"]
                self.named[condition["field"]] |= set(
                    values if isinstance(values, list) else [values]
                )
            if target in self.creates:
                self.unlisted.add(target)
            if kind:
                self.change("rules", "create" if kind == "create" else "update")
            lean = {"conditions": conditions, "targetFirmId": want["targetFirmId"]}
            config[name] = want if self.full else lean
        live.append(
            {
                "id": uid(0x31, 0),
                "name": "Legacy catch-all",
                "conditions": [{"field": "caseType", "operator": "in", "value": ["Other"]}],
                "targetFirmId": self.out_firms[0],
                "priority": len(live) + 1,
            }
        )
        self.named["caseType"].add("Other")  # the sandbox seeds it active: it takes part
        self.seed["routing_rules"] = live
        return config

    def cases(self) -> dict[str, Any]:
        live, config = [], {}
        n_out = len(self.out_firms)
        for i in range(self.sizes["cases"]):
            case_id = uid(0x40, i)
            first = self.out_firms[(i * 3) % n_out]
            wanted = first
            status = "under_evaluation"
            if drift("cases", i):
                status = "rejected"
                wanted = self.out_firms[(i * 3 + 2) % n_out]
                self.change("cases", "re-refer")
                if wanted in self.creates:
                    self.unlisted.add(wanted)
            live.append(
                {
                    "id": case_id,
                    "referenceNumber": f"ACME-2026-{i:05d}",
                    "title": f"Client {i:05d} v. Defendant",
                    "caseType": CASE_TYPES[i % 4],
                    "jurisdiction": JURISDICTIONS[i % 8],
                    "clientFirstName": "Client",
                    "clientLastName": f"{i:05d}",
                    "createdAt": "2026-02-01T15:20:00.000Z",
                    "referrals": [
                        {
                            "id": uid(0x41, i),
                            "referentFirmId": first,
                            "status": status,
                            "notes": "Initial referral",
                            "createdAt": "2026-02-01T15:25:00.000Z",
                        }
                    ],
                }
            )
            want: dict[str, Any] = {"referentFirmId": self.key(wanted)}
            if self.full or wanted != first:
                want["notes"] = "Re-routed by netsync"
            config[case_id] = want
        self.seed["cases"] = live
        return config

    def matters(self) -> dict[str, Any]:
        live, config = [], {}
        for i in range(self.sizes["matters"]):
            matter_id = uid(0x50, i)
            fee = 25
            if drift("matters", i):
                fee = 20
                self.change("matters", "update")
            live.append(
                {
                    "id": matter_id,
                    "number": f"M-{i:05d}",
                    "title": f"M-{i:05d} - Client {i:05d}",
                    "description": "Referred-in matter",
                    "status": "Open",
                    "matterTypeId": "009f778f-83df-454a-b344-768a862a7e55",
                    "clientIds": [uid(0x51, i)],
                    "clientRole": "Plaintiff",
                    "branchId": "dd4e4381-b6a0-4c64-8feb-e8ea8016ea42",
                    "openedDate": "2026-02-03T14:00:00Z",
                    "referralType": REFERRAL_TYPE,
                    "referrerId": uid(0x52, i % 50),
                    "referralAgreementFeeType": "%",
                    "referralAgreementFee": fee,
                    "referralAgreementFeeComment": "Agreed by phone",
                    "personResponsibleStaffId": "c85d28cb-a760-4627-aa59-0a853c2e65ed",
                    "versionId": "637771038395217729",
                }
            )
            want = {
                "referralType": REFERRAL_TYPE,
                "referralAgreementFeeType": "%",
                "referralAgreementFee": 25,
                "status": "Open",
            }
            config[matter_id] = want if self.full else {"referralAgreementFee": 25}
        self.seed["matters"] = live
        return config

    def case_requests(self) -> dict[str, Any]:
        live, config = [], {}
        for i in range(self.sizes["case_requests"]):
            kind = drift("case_requests", i)
            reference = f"CLM-{i:06d}"
            want = {
                "case_type_id": 1,
                "case_region_id": 1 + i % 3,
                "created_on": "2026-05-01",
                "due_on": "2026-06-15",
                "client": {"name": f"Insurer {i % 40:02d}", "country": "US"},
                "contact": {"last_name": "Adjuster", "email": f"adjuster{i:05d}@example.com"},
            }
            if kind == "create":
                self.change("case_requests", "create")
                # an undeclared record keeps the account at one record per declared reference
                live.append({**want, "reference_value_1": f"OTHER-{i:06d}"})
                config[reference] = want
                continue
            have = json.loads(json.dumps(want))
            have["client"]["city"] = "Denver"  # unmanaged: a whole-object PUT must keep it
            if kind == "due":
                have["due_on"] = "2026-06-01"
            elif kind == "contact":
                have["contact"]["email"] = f"old{i:05d}@example.com"
                self.changed["case_requests"]["whole"] += 1
            live.append({**have, "reference_value_1": reference, "notes": "Recorded statement"})
            if kind:
                self.change("case_requests", "update")
            config[reference] = want  # every field but due_on is required: lean is full here
        self.seed["case_requests"] = [{"id": 101 + i, **r} for i, r in enumerate(live)]
        return config
