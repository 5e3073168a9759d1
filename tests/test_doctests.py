"""The examples in the package's docstrings run, and give what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kg

MODULES = ["kg", *sorted(m.name for m in pkgutil.walk_packages(kg.__path__, "kg."))]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_core_has_examples() -> None:
    found = {name for name in MODULES if doctest.DocTestFinder().find(importlib.import_module(name))
             and any(t.examples for t in doctest.DocTestFinder().find(importlib.import_module(name)))}
    assert {"kg", "kg.paths", "kg.vocab", "kg.errors", "kg.pipeline.records", "kg.sparql.backends"} <= found
