"""Apply order as a dependency graph (SPEC 3): netsync.apply.order.order(changes) -> Graph.

The graph is data: `deps[address]` is the set of nodes that must finish first, `barriers` the
nodes that write nothing. These tests pin which orderings exist, and that none that should not
exist do (independent writes must be free to run at once)."""

from __future__ import annotations

from netsync.apply.order import order
from netsync.model import Action, Change, ResourceType

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"
WHITFIELD = "e5f6a7b8-9012-3cde-f456-7890abcdef01"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"
CASE = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
MATTER = "9a1b2c3d-0000-4000-8000-000000000001"


def outbound(key, firm, action, before=None, after=None, fields=None):
    if fields is None:
        fields = sorted(after or {}) if action is Action.CREATE else []
    return Change(f"network.outbound.{key}", ResourceType.OUTBOUND, firm, action, fields, before,
                  after)  # fmt: skip


def inbound(key, firm, before_status, after_status, extra=None):
    before = {"status": before_status}
    after = {"status": after_status, **(extra or {})}
    fields = sorted(k for k in after if after[k] != before.get(k))
    return Change(f"network.inbound.{key}", ResourceType.INBOUND, firm, Action.UPDATE, fields,
                  before, after)  # fmt: skip


def rule(name, action, before=None, after=None, rule_id=None):
    after = None if after is None else {"name": name, "isActive": True, **after}
    before = None if before is None else {"name": name, "isActive": True, **before}
    fields = []
    if action is Action.UPDATE:
        fields = sorted(k for k in after if after.get(k) != before.get(k))
    return Change(f"routing.rules.{name}", ResourceType.ROUTING_RULE, rule_id, action, fields,
                  before, after)  # fmt: skip


def rerefer(case_id, before_firm, after_firm):
    return Change(f"cases.{case_id}", ResourceType.CASE, case_id, Action.REREFER,
                  ["referentFirmId"], {"referentFirmId": before_firm},
                  {"referentFirmId": after_firm})  # fmt: skip


def assert_acyclic(graph) -> None:
    """Every node can be scheduled: Kahn's algorithm consumes the whole graph."""
    missing = {node: len(needs) for node, needs in graph.deps.items()}
    for needs in graph.deps.values():
        assert needs <= set(graph.deps), f"dependency on an unknown node: {needs}"
    ready = [n for n, m in missing.items() if m == 0]
    done = 0
    while ready:
        node = ready.pop()
        done += 1
        for other, needs in graph.deps.items():
            if node in needs:
                missing[other] -= 1
                if missing[other] == 0:
                    ready.append(other)
    assert done == len(graph.deps), f"cycle in {graph.deps}"


def waits_for(graph, node: str, first: str) -> bool:
    """Whether `node` (transitively, through barriers too) waits for `first`."""
    seen, stack = set(), list(graph.deps[node])
    while stack:
        current = stack.pop()
        if current == first:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(graph.deps.get(current, ()))
    return False


def test_rule_and_rereferral_wait_for_the_firms_outbound_create_and_inbound_accept():
    """A rule create and a re-referral targeting a firm depend on that firm's outbound create
    and on its inbound accept (pending -> active); ids match whatever their case."""
    changes = [
        outbound("caldwell", CALDWELL, Action.CREATE, after={"sendingPercentage": 25}),
        inbound("caldwell", CALDWELL, "pending", "active"),
        rule("CA Med-Mal", Action.CREATE, after={"targetFirmId": CALDWELL.upper(), "priority": 9}),
        rerefer(CASE, HAWKINS, CALDWELL.upper()),
    ]
    graph = order(changes)
    needs = {"network.outbound.caldwell", "network.inbound.caldwell"}
    assert graph.deps["routing.rules.CA Med-Mal"] == needs
    assert graph.deps[f"cases.{CASE}"] == needs
    assert graph.deps["network.outbound.caldwell"] == set()
    assert graph.deps["network.inbound.caldwell"] == set()
    assert graph.barriers == set()
    assert_acyclic(graph)


def test_rule_update_retargeted_to_a_new_firm_waits_for_its_creation():
    """A rule update whose targetFirmId is a firm being created waits for that create."""
    changes = [
        outbound("caldwell", CALDWELL, Action.CREATE, after={"sendingPercentage": 25}),
        rule(
            "NY PI",
            Action.UPDATE,
            before={"targetFirmId": RIVERA, "priority": 1},
            after={"targetFirmId": CALDWELL, "priority": 1},
            rule_id="r1",
        ),  # fmt: skip
    ]
    graph = order(changes)
    assert graph.deps["routing.rules.NY PI"] == {"network.outbound.caldwell"}
    assert_acyclic(graph)


def test_existing_relationships_create_no_dependency():
    """Only a create or an accept makes a firm exist: an outbound update, an inbound update of
    an active firm and an inbound decline are no prerequisites of rules or re-referrals."""
    changes = [
        outbound(
            "rivera",
            RIVERA,
            Action.UPDATE,
            before={"description": "a"},
            after={"description": "b"},
            fields=["description"],
        ),  # fmt: skip
        inbound("rivera", RIVERA, "active", "active", {"referralInstructions": "x"}),
        inbound("whitfield", WHITFIELD, "pending", "inactive"),
        rule("NY PI", Action.CREATE, after={"targetFirmId": RIVERA, "priority": 4}),
        rule("W", Action.CREATE, after={"targetFirmId": WHITFIELD, "priority": 5}),
        rerefer(CASE, HAWKINS, RIVERA),
    ]
    graph = order(changes)
    assert all(needs == set() for needs in graph.deps.values()), graph.deps
    assert graph.barriers == set()


def test_rule_deletes_wait_through_a_barrier_for_rule_creates_and_updates():
    """Prune deletes run after every rule create and update (a replacement rule exists before
    the rule it replaces goes), through one barrier node that holds no other kind."""
    changes = [
        rule("New", Action.CREATE, after={"targetFirmId": RIVERA, "priority": 7}),
        rule(
            "Changed",
            Action.UPDATE,
            before={"targetFirmId": RIVERA, "priority": 8},
            after={"targetFirmId": CALDWELL, "priority": 8},
            rule_id="r2",
        ),  # fmt: skip
        rule(
            "Old 1", Action.DELETE, before={"targetFirmId": RIVERA, "priority": 20}, rule_id="r3"
        ),  # fmt: skip
        rule(
            "Old 2", Action.DELETE, before={"targetFirmId": RIVERA, "priority": 21}, rule_id="r4"
        ),  # fmt: skip
        Change(
            f"matters.{MATTER}",
            ResourceType.MATTER,
            MATTER,
            Action.UPDATE,
            ["status"],
            {"status": "Open"},
            {"status": "Closed"},
        ),  # fmt: skip
    ]
    graph = order(changes)
    assert len(graph.barriers) == 1
    (barrier,) = graph.barriers
    assert graph.deps[barrier] == {"routing.rules.New", "routing.rules.Changed"}
    assert graph.deps["routing.rules.Old 1"] == {barrier}
    assert graph.deps["routing.rules.Old 2"] == {barrier}
    assert graph.deps["routing.rules.New"] == set()
    assert graph.deps["routing.rules.Changed"] == set()
    assert graph.deps[f"matters.{MATTER}"] == set()
    assert_acyclic(graph)


def test_deletes_alone_need_no_barrier():
    """With nothing to wait for, deletes are free to run: no barrier node is made."""
    changes = [
        rule(
            "Old 1", Action.DELETE, before={"targetFirmId": RIVERA, "priority": 20}, rule_id="r3"
        ),  # fmt: skip
    ]
    graph = order(changes)
    assert graph.deps == {"routing.rules.Old 1": set()}
    assert graph.barriers == set()


def test_outbound_updates_lowering_the_share_run_before_raising_ones_and_creates():
    """Outbound updates that lower sendingPercentage come first, then (through a barrier) those
    that raise it and creates, so the shares stay within 100 % at every step; an update that
    does not touch the percentage is not held back."""
    changes = [
        outbound(
            "rivera",
            RIVERA,
            Action.UPDATE,
            before={"sendingPercentage": 60},
            after={"sendingPercentage": 30},
            fields=["sendingPercentage"],
        ),  # fmt: skip
        outbound(
            "hawkins",
            HAWKINS,
            Action.UPDATE,
            before={"sendingPercentage": 20},
            after={"sendingPercentage": "40.0"},
            fields=["sendingPercentage"],
        ),  # fmt: skip
        outbound("caldwell", CALDWELL, Action.CREATE, after={"sendingPercentage": 25}),
        outbound(
            "whitfield",
            WHITFIELD,
            Action.UPDATE,
            before={"sendingPercentage": 5, "description": "a"},
            after={"sendingPercentage": 5, "description": "b"},
            fields=["description"],
        ),  # fmt: skip
    ]
    graph = order(changes)
    assert len(graph.barriers) == 1
    (barrier,) = graph.barriers
    assert graph.deps[barrier] == {"network.outbound.rivera"}
    assert graph.deps["network.outbound.hawkins"] == {barrier}
    assert graph.deps["network.outbound.caldwell"] == {barrier}
    assert graph.deps["network.outbound.rivera"] == set()
    assert graph.deps["network.outbound.whitfield"] == set()
    assert_acyclic(graph)


def test_only_raising_shares_need_no_barrier():
    """With no share lowered, raising updates and creates run at once (the quickstart case)."""
    changes = [
        outbound(
            "rivera",
            RIVERA,
            Action.UPDATE,
            before={"sendingPercentage": 33.5},
            after={"sendingPercentage": 50},
            fields=["sendingPercentage"],
        ),  # fmt: skip
        outbound("caldwell", CALDWELL, Action.CREATE, after={"sendingPercentage": 25}),
    ]
    graph = order(changes)
    assert graph.barriers == set()
    assert graph.deps == {"network.outbound.rivera": set(), "network.outbound.caldwell": set()}


def test_rule_moving_to_a_priority_waits_for_the_rule_leaving_it():
    """A rule moving to priority p waits for the rule leaving p (so two active rules do not tie
    on the way); a rule moving to a free priority waits for nothing."""
    changes = [
        rule(
            "A",
            Action.UPDATE,
            before={"targetFirmId": RIVERA, "priority": 1},
            after={"targetFirmId": RIVERA, "priority": 2},
            rule_id="ra",
        ),  # fmt: skip
        rule(
            "B",
            Action.UPDATE,
            before={"targetFirmId": RIVERA, "priority": 2},
            after={"targetFirmId": RIVERA, "priority": 3},
            rule_id="rb",
        ),  # fmt: skip
    ]
    graph = order(changes)
    assert graph.deps["routing.rules.A"] == {"routing.rules.B"}
    assert graph.deps["routing.rules.B"] == set()
    assert_acyclic(graph)


def test_rule_created_at_a_priority_waits_for_the_rule_deactivated_there():
    """A new active rule at priority p waits for the rule at p that is set inactive."""
    changes = [
        rule(
            "Old",
            Action.UPDATE,
            before={"targetFirmId": RIVERA, "priority": 4},
            after={"targetFirmId": RIVERA, "priority": 4, "isActive": False},
            rule_id="ro",
        ),  # fmt: skip
        rule("New", Action.CREATE, after={"targetFirmId": RIVERA, "priority": 4}),
    ]
    graph = order(changes)
    assert graph.deps["routing.rules.New"] == {"routing.rules.Old"}
    assert graph.deps["routing.rules.Old"] == set()
    assert_acyclic(graph)


def test_priority_swap_orders_one_way_without_a_cycle():
    """Two rules swapping priorities tie for a moment whatever the order: exactly one waits for
    the other, never both (a cycle would deadlock the apply)."""
    changes = [
        rule(
            "A",
            Action.UPDATE,
            before={"targetFirmId": RIVERA, "priority": 1},
            after={"targetFirmId": RIVERA, "priority": 2},
            rule_id="ra",
        ),  # fmt: skip
        rule(
            "B",
            Action.UPDATE,
            before={"targetFirmId": RIVERA, "priority": 2},
            after={"targetFirmId": RIVERA, "priority": 1},
            rule_id="rb",
        ),  # fmt: skip
    ]
    graph = order(changes)
    edges = {(a, b) for a, needs in graph.deps.items() for b in needs}
    assert edges in ({("routing.rules.A", "routing.rules.B")},
                     {("routing.rules.B", "routing.rules.A")})  # fmt: skip
    assert_acyclic(graph)


def test_priority_rotation_of_three_rules_has_no_cycle():
    """A rotation 1->2->3->1 keeps every ordering it can without closing a cycle."""
    changes = [
        rule(
            name,
            Action.UPDATE,
            before={"targetFirmId": RIVERA, "priority": old},
            after={"targetFirmId": RIVERA, "priority": new},
            rule_id=f"r{name}",
        )  # fmt: skip
        for name, old, new in (("A", 1, 2), ("B", 2, 3), ("C", 3, 1))
    ]
    graph = order(changes)
    assert_acyclic(graph)
    assert sum(len(needs) for needs in graph.deps.values()) == 2


def test_independent_changes_have_no_dependencies():
    """Changes with nothing in common (an inbound update, a matter, a case request, an outbound
    update, a re-referral to an existing firm) have no dependency and no barrier."""
    changes = [
        inbound("hawkins", HAWKINS, "active", "active", {"referralInstructions": "x"}),
        Change(
            f"matters.{MATTER}",
            ResourceType.MATTER,
            MATTER,
            Action.UPDATE,
            ["referralAgreementFee"],
            {"referralAgreementFee": 25},
            {"referralAgreementFee": 33},
        ),  # fmt: skip
        Change(
            "case_requests.XYZ",
            ResourceType.CASE_REQUEST,
            "501",
            Action.UPDATE,
            ["due_on"],
            {"due_on": "2026-06-20"},
            {"due_on": "2026-07-01"},
        ),  # fmt: skip
        Change(
            "case_requests.ABC",
            ResourceType.CASE_REQUEST,
            None,
            Action.CREATE,
            ["due_on"],
            None,
            {"due_on": "2026-06-15"},
        ),  # fmt: skip
        outbound(
            "rivera",
            RIVERA,
            Action.UPDATE,
            before={"description": "a"},
            after={"description": "b"},
            fields=["description"],
        ),  # fmt: skip
        rerefer(CASE, HAWKINS, RIVERA),
    ]
    graph = order(changes)
    assert set(graph.deps) == {c.address for c in changes}
    assert all(needs == set() for needs in graph.deps.values()), graph.deps
    assert graph.barriers == set()


def test_a_rule_reactivated_at_a_taken_priority_waits_for_the_rule_leaving_it():
    """A rule going from inactive to active at priority 2 (unchanged) waits for the active rule
    leaving priority 2, so the two never tie."""
    leaving = Change(
        "routing.rules.Leaving", ResourceType.ROUTING_RULE, "a", Action.UPDATE,
        fields=["priority"], before={"priority": 2}, after={"priority": 5},
    )  # fmt: skip
    back = Change(
        "routing.rules.Back", ResourceType.ROUTING_RULE, "b", Action.UPDATE,
        fields=["isActive"], before={"priority": 2, "isActive": False},
        after={"priority": 2, "isActive": True},
    )  # fmt: skip
    graph = order([leaving, back])
    assert graph.deps["routing.rules.Back"] == {"routing.rules.Leaving"}
    assert graph.deps["routing.rules.Leaving"] == set()
