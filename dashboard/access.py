"""`@public`: marks a view reachable without signing in (kept free of imports so any module can use it)."""
from collections.abc import Callable


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in; webhooks and sign-in pages use it."""
    view.is_public = True
    return view
