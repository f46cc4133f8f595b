"""The app class: Flask's per-request coroutine check is kept per function, not skipped."""

from __future__ import annotations

from lms import Platform


def test_a_plain_function_is_run_as_it_is_and_remembered():
    app = Platform(__name__)

    def view() -> str:
        return "ok"

    assert app.ensure_sync(view) is view
    assert view in app._plain_functions
    assert app.ensure_sync(view) is view


def test_an_async_function_is_still_handed_to_flask():
    """Never remembered as plain: Flask wraps it (or, without its async extra, refuses it)."""
    app = Platform(__name__)

    async def view() -> str:
        return "ok"

    try:
        wrapped = app.ensure_sync(view)
    except RuntimeError as refused:
        assert "async" in str(refused).lower()
    else:
        assert wrapped is not view
    assert view not in app._plain_functions
