"""The validation split: held-out training clips, never a test clip, each clip on one side."""
import pytest

from vadcore.data.splits import validation_indices, validation_split


@pytest.mark.parametrize("n, k", [(16, 2), (10, 2), (3, 2), (5, 4), (7, 0), (1, 0)])
def test_every_clip_is_on_exactly_one_side(n, k):
    clips = [f"clip{i}" for i in range(n)]
    kept, held = validation_split(clips, k)
    assert len(held) == k and len(kept) == n - k
    assert not set(kept) & set(held) and set(kept) | set(held) == set(clips)
    assert kept == [c for c in clips if c not in held]  # recording order kept


def test_held_out_clips_are_spread_over_the_recording():
    assert validation_indices(16, 2) == [4, 12]  # UCSD Ped2's 16 training clips
    assert validation_indices(10, 2) == [2, 7]  # synthped's 10
    with pytest.raises(ValueError, match="keep at least one"):
        validation_indices(3, 3)
