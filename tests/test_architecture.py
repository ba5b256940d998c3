"""The house rules of docs/DEVELOPING.md that a machine can check (issue #17): no module imports
an underscore name of another module, no model imports another model, no import cycle."""
from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = ROOT / "jiuzhu_methods"


def _modname(f: pathlib.Path) -> str:
    parts = list(f.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {_modname(f): f for f in PKG.rglob("*.py")}


def _imports(m: str):
    """(imported module, name or None, line) of every ``from … import`` of ``m`` inside the
    package (function-level imports included), and (module, attribute) of ``alias._name`` uses."""
    f = FILES[m]
    tree = ast.parse(f.read_text("utf-8"))
    pkg = m if f.name == "__init__.py" else m.rsplit(".", 1)[0]
    out, aliases = [], {}
    # imports for type checkers only (``if TYPE_CHECKING:``) are no dependency at run time
    typing_only = {id(n) for blk in ast.walk(tree) if isinstance(blk, ast.If) and "TYPE_CHECKING" in ast.unparse(blk.test)
                   for stmt in blk.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and id(node) not in typing_only:
            base = node.module or ""
            if node.level:
                b = pkg.split(".")
                base = ".".join(b[:len(b) - (node.level - 1)] + ([node.module] if node.module else []))
            if not base.startswith("jiuzhu_methods"):
                continue
            for al in node.names:
                full = f"{base}.{al.name}"
                if full in FILES:
                    aliases[al.asname or al.name] = full
                    out.append((full, None, node.lineno))
                else:
                    out.append((_defining(base, al.name), al.name, node.lineno))
    attrs = [(aliases[n.value.id], n.attr, n.lineno) for n in ast.walk(tree)
             if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in aliases]
    return out, attrs


def _defining(package: str, name: str) -> str:
    """The submodule of ``package`` whose top level defines ``name`` when ``package`` only
    re-exports it (``from ..privacy import pseudonymise_pool`` depends on privacy.pseudonym),
    else ``package`` itself."""
    f = FILES.get(package)
    if f is None or f.name != "__init__.py":
        return package
    for m, g in FILES.items():
        if m.startswith(package + ".") and m.count(".") == package.count(".") + 1:
            tree = ast.parse(g.read_text("utf-8"))
            if any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name for n in tree.body):
                return m
    return package


def _private(name: str | None) -> bool:
    return bool(name) and name.startswith("_") and not name.startswith("__")


def test_no_module_imports_an_underscore_name_of_another():
    found = []
    for m in FILES:
        imports, attrs = _imports(m)
        found += [f"{m}:{ln} imports {t}.{n}" for t, n, ln in imports if _private(n) and t != m]
        found += [f"{m}:{ln} uses {t}.{n}" for t, n, ln in attrs if _private(n) and t != m]
    assert not found, "\n".join(found)


def test_no_model_imports_another_model():
    models = {m for m in FILES if m.startswith("jiuzhu_methods.models.") and not m.endswith("__init__")}
    found = [f"{m} imports {t}" for m in models for t, _n, _ln in _imports(m)[0]
             if t in models and t != m]
    assert not found, "\n".join(found)


def test_no_import_cycle_between_modules():
    # a package's __init__ that re-exports its submodules is not a cycle of the design
    edges = {m: {t for t, _n, _ln in _imports(m)[0] if t in FILES and t != m and not m.startswith(t + ".")
                 and not t.startswith(m + ".")} for m in FILES}
    index, low, stack, on, cycles, count = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = count[0]
        count[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in edges:
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_the_checks_can_fail(tmp_path, monkeypatch):
    # a module importing another's underscore name is found
    pkg = tmp_path / "jiuzhu_methods"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def _hidden():\n    return 1\n")
    (pkg / "b.py").write_text("from .a import _hidden\nfrom . import a\nx = a._hidden()\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    files = {_modname(f): f for f in pkg.rglob("*.py")}
    monkeypatch.setattr(__import__(__name__), "FILES", files)
    imports, attrs = _imports("jiuzhu_methods.b")
    assert ("jiuzhu_methods.a", "_hidden", 1) in imports and ("jiuzhu_methods.a", "_hidden", 3) in attrs
