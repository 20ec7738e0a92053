#!/usr/bin/env python3
"""Every public name of the installed `ocus` package has a docstring, as pdoc (the Python
reference of `make docs`) sees it: from the module at run time and its `.pyi` stubs."""

from __future__ import annotations

import sys

import pdoc.doc

import ocus
import ocus.webhooks

missing: list[str] = []
seen = 0


def walk(doc: pdoc.doc.Doc) -> None:  # type: ignore[type-arg]
    global seen
    seen += 1
    if not doc.docstring.strip():
        missing.append(f"{doc.fullname} ({doc.kind})")
    if isinstance(doc, (pdoc.doc.Module, pdoc.doc.Class)):
        members = list(doc.members.values()) if isinstance(doc, pdoc.doc.Module) else doc.own_members
        for member in members:
            if not member.name.startswith("_") and member.fullname.startswith("ocus"):
                walk(member)


walk(pdoc.doc.Module(ocus))
walk(pdoc.doc.Module(ocus.webhooks))
for name in missing:
    print(f"undocumented: {name}")
print(f"python docs: {seen} public names, {len(missing)} without a docstring")
sys.exit(1 if missing else 0)
