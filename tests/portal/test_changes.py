"""The one optimistic-lock check: a stale or missing version is refused with a Japanese message."""

import pytest

from portal.changes import MISSING, NO_PAGE, STALE, EditConflict, check_version, with_actor


def test_the_version_the_editor_saw_is_accepted():
    check_version(3, "3")
    check_version(3, 3)
    check_version(3, NO_PAGE)  # demo data and imports open no page


@pytest.mark.parametrize(("sent", "message"), [("2", STALE), ("", MISSING), (None, MISSING),
                                               ("abc", MISSING), ("²", MISSING)])  # fmt: skip
def test_a_stale_or_missing_version_is_refused_with_a_japanese_message(sent, message):
    with pytest.raises(EditConflict) as caught:
        check_version(3, sent)
    assert caught.value.message == message
    assert "保存していません" in str(caught.value)


def test_the_history_row_names_the_actor_and_the_reason():
    class Row:
        pass

    row = with_actor(Row(), "staff", "編集")
    assert (row._history_user, row._change_reason) == ("staff", "編集")
