"""The keyword arguments are real: `help()` and `inspect.signature` show every option, and the
constructors' signatures match the stub (stubtest checks the methods, but sees a native
class's `__new__` as `(*args, **kwargs)`)."""

import ast
import inspect
import pathlib
from typing import Any

import pytest

import ocus


def stub_parameters(class_name: str, method: str) -> list[tuple[str, Any, Any]]:
    stub = pathlib.Path(ocus.__file__).with_name("_ocus.pyi").read_text()
    for node in ast.parse(stub).body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == method:
                    args = item.args
                    positional = args.posonlyargs + args.args
                    defaults = [None] * (len(positional) - len(args.defaults)) + args.defaults
                    out = [
                        (a.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD, ast.literal_eval(d) if d else inspect.Parameter.empty)
                        for a, d in zip(positional, defaults)
                    ][1:]  # cls
                    out += [
                        (a.arg, inspect.Parameter.KEYWORD_ONLY, ast.literal_eval(d) if d else inspect.Parameter.empty)
                        for a, d in zip(args.kwonlyargs, args.kw_defaults)
                    ]
                    return out
    raise AssertionError(f"{class_name}.{method} not in the stub")


@pytest.mark.parametrize("cls", [ocus.Client, ocus.AsyncClient])
def test_constructor_signature_is_the_stubs(cls: type) -> None:
    runtime = [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]
    assert runtime == stub_parameters(cls.__name__, "__new__")
    assert "retry_budget" in dict((name, kind) for name, kind, _ in runtime)


@pytest.mark.parametrize("cls", [ocus.Client, ocus.AsyncClient])
def test_help_documents_every_option_with_its_default(cls: type) -> None:
    doc = cls.__doc__ or ""
    for name in inspect.signature(cls).parameters:
        assert f"``{name}``" in doc, name
    assert "Default: " in doc


def test_an_unknown_keyword_still_gets_the_cores_suggestion() -> None:
    with pytest.raises(ocus.ConfigurationError, match='did you mean "retry_budget"'):
        ocus.Client(api_key="k", retry_budjet=5)  # type: ignore[call-arg]


@pytest.mark.parametrize("module", [ocus, ocus.webhooks])
def test_the_namespace_holds_only_public_names(module: Any) -> None:
    # `ocus.Final`, `ocus.webhooks.Literal` and the native helpers leaked before.
    public = {name for name in dir(module) if not name.startswith("_")}
    assert public == {name for name in module.__all__ if not name.startswith("_")}
