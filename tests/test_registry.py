"""The registry of record types (kg.pipeline.records.MODELS) is complete and says only what the models hold."""

from __future__ import annotations

import inspect
from typing import Any, get_args, get_origin

import pytest
from pydantic import BaseModel

from kg.pipeline.records import MODELS, Record
from kg.pipeline.to_rdf import GraphBuilder
from kg.vocab import CN


def _field_model(annotation: Any) -> Any:
    """The model or scalar type inside list[...], dict[..., X] or X | None."""
    while get_origin(annotation) is not None:
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[-1]
    return annotation


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_type_declares_its_class_path_and_builder(name: str) -> None:
    model = MODELS[name]
    assert model.type_name == name
    assert model.iri_path and model.rdf_classes
    terms = {str(CN._NS) + term for term in CN.__annotations__}
    assert {str(cls) for cls in model.rdf_classes} <= terms, "classes of the ontology"
    assert inspect.isfunction(getattr(GraphBuilder, name, None)), f"GraphBuilder needs a method {name}()"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_declared_reference_names_a_field(name: str) -> None:
    model: type[BaseModel] = MODELS[name]
    for path, allowed in model.REFS:  # type: ignore[attr-defined]
        assert allowed <= set(MODELS), f"{name}: {path} allows unknown types {allowed - set(MODELS)}"
        current: Any = model
        for part in path.split("."):
            if part == "*":
                continue
            assert isinstance(current, type) and issubclass(current, BaseModel), f"{name}: {path} at {part}"
            assert part in current.model_fields, f"{name}: {path} names no field {part!r}"
            current = _field_model(current.model_fields[part].annotation)


def test_iri_paths_are_unique() -> None:
    paths = [m.iri_path for m in MODELS.values()]
    assert len(paths) == len(set(paths))
    assert Record.REFS[0][0] == "sources.*.ref"
