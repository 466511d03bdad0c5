"""The heap frozen for a command stays frozen until the command ends: planning's own block
must not thaw what the command still holds (rendering would pay a full pass over the reads)."""

from __future__ import annotations

import gc

from netsync.pipeline import frozen_heap


def test_nested_blocks_thaw_only_when_the_outer_one_ends():
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        held = gc.get_freeze_count()
        assert held > 0
        with frozen_heap():
            assert gc.get_freeze_count() >= held
        assert gc.get_freeze_count() >= held, "the inner block thawed the command's heap"
    assert gc.get_freeze_count() == 0
