"""The label and selector indexes HG214, HG330 and HG331 look pods and policies up with: what
they offer for a selector (or a label set) holds every match a scan of all would find."""

from __future__ import annotations

from typing import Any

from homegen.validate.rules.workloads import LabelIndex, SelectorIndex, selector_matches

LABELS: list[dict[str, Any]] = [
    {},
    {"app": "web"},
    {"app": "web", "tier": "front"},
    {"app": "db", "tier": "back"},
    {"app": "1"},
    {"app": 1},  # a number as written in YAML: compared as text, as selector_matches does
    {"tier": "front"},
    {"app": "web", "x": True},
]
SELECTORS: list[dict[str, Any]] = [
    {},  # selects every pod
    {"matchLabels": {"app": "web"}},
    {"matchLabels": {"app": "web", "tier": "front"}},
    {"matchLabels": {"tier": "front", "app": "web"}},
    {"matchLabels": {"app": 1}},
    {"matchLabels": {"app": "1"}},
    {"matchLabels": {"x": "True"}},
    {"matchLabels": {"app": "none"}},
    {"matchExpressions": [{"key": "tier", "operator": "Exists"}]},
    {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]},
    {
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}],
    },
]


def test_label_index_offers_every_label_set_a_selector_selects() -> None:
    index: LabelIndex[int] = LabelIndex()
    for i, labels in enumerate(LABELS):
        index.add(i, labels)
    for selector in SELECTORS:
        expected = [i for i, labels in enumerate(LABELS) if selector_matches(selector, labels)]
        offered = list(index.candidates(selector))
        assert [i for i in offered if selector_matches(selector, LABELS[i])] == expected
        assert offered == sorted(offered)  # in the order added


def test_label_index_narrows_to_the_first_match_label() -> None:
    index: LabelIndex[int] = LabelIndex()
    for i, labels in enumerate(LABELS):
        index.add(i, labels)
    assert list(index.candidates({"matchLabels": {"app": "db"}})) == [3]
    assert list(index.candidates({"matchLabels": {"app": "1"}})) == [4, 5]
    assert list(index.candidates({"matchLabels": {"app": "none"}})) == []
    assert list(index.candidates({})) == list(range(len(LABELS)))


def test_selector_index_offers_every_selector_that_selects_a_label_set() -> None:
    index: SelectorIndex[int] = SelectorIndex()
    for i, selector in enumerate(SELECTORS):
        index.add(i, selector)
    for labels in LABELS:
        expected = {i for i, selector in enumerate(SELECTORS) if selector_matches(selector, labels)}
        offered = list(index.candidates(labels))
        assert len(offered) == len(set(offered))
        assert {i for i in offered if selector_matches(SELECTORS[i], labels)} == expected


def test_selector_index_skips_selectors_filed_under_other_labels() -> None:
    index: SelectorIndex[int] = SelectorIndex()
    for i, selector in enumerate(SELECTORS):
        index.add(i, selector)
    no_match_labels = {0, 8, 9}  # only their expressions (or nothing) decide: always offered
    assert set(index.candidates({"app": "db", "tier": "back"})) == no_match_labels
    assert set(index.candidates({"tier": "front"})) == no_match_labels | {3}
