"""OntologyView.path keeps its answers per view; a new edge makes it search again."""

from __future__ import annotations

from models.fusion.graph import OntologyView


def _view() -> OntologyView:
    view = OntologyView(names={c: (c, c) for c in "abcdef"}, types={})
    for src, dst in ("ab", "bc", "cd", "de"):
        view.add_edge("IS_A", src, dst, 1.0)
    return view


def test_paths_are_remembered_and_stay_what_the_search_gives() -> None:
    view = _view()
    first = view.path("a", {"d"})
    assert first == ["a", "b", "c", "d"]
    first.append("x")  # the caller's list is its own
    assert view.path("a", {"d"}) == ["a", "b", "c", "d"]
    assert view.path("a", {"e"}, max_hops=3) is None
    assert view.path("a", {"e"}) == ["a", "b", "c", "d", "e"]
    assert view.path("f", {"a"}) is None and view.path("f", {"f"}) == ["f"]


def test_a_new_edge_is_seen_by_the_next_path() -> None:
    view = _view()
    assert view.path("a", {"f"}) is None
    view.add_edge("IS_A", "a", "f", 1.0)
    assert view.path("a", {"f"}) == ["a", "f"]
    assert view.path("a", {"d"}) == ["a", "b", "c", "d"]
