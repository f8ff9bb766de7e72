#!/usr/bin/env python3
"""Check the floors of the house: no import cycle between source files, and no import upwards.

Reads every `.py` file of the project's packages (migrations excepted) with the `ast` module,
without importing anything, and collects every import: module level, inside functions
(lazy imports are the same dependency, hidden), under `TYPE_CHECKING`, and
`importlib.import_module("literal")`. Then it fails when

1. a file imports a package on a higher floor than its own (`FLOORS` below, the order
   written in `docs/architecture.md`), or
2. files import each other in a cycle (strongly connected components of the file graph,
   within an app as well as across apps).

Usage: `python scripts/check_floors.py [--graph]` (exit status 1 on a violation). `--graph`
prints each file's imports of other packages. Run by `make floors`, `.ci/run` and the suite.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top. A file may import from its own floor or lower ones, never higher.
FLOORS: list[str] = [
    "marketplace",  # the kernel: users, markets, organisations, API keys, audit, outbox, money, tenancy
    "catalog",  # categories, products, variants, grades, listings, offers, buy box, seller standing
    "orders",  # cart, checkout, payment, fulfilment, ledger, payouts
    "warranty",  # warranties, claims, returns, reviews (calls orders' refunds)
    "sellers",  # seller lifecycle, probation cap, back-office, console, performance
    "tradein",  # trade-in, routing to refurbishers
    "workshop",  # refurbishment: units on the seller's board, from intake (routed trade-ins, returns) to listing
    "partners",  # partner back-office, webhook delivery (reads only the kernel's outbox)
    "reporting",  # impact and finance dashboards: rollups of everything below, read by the three surfaces
]
FLOOR_OF = {package: index for index, package in enumerate(FLOORS)}


def source_files(root: Path = ROOT) -> dict[str, Path]:
    """Module name -> file, for every project package that exists under `root`."""
    modules: dict[str, Path] = {}
    for package in FLOORS:
        directory = root / package
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module a dotted name refers to (a module, or a name inside one), if any."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported project module, line) for every import in the file, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt | ast.expr):
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            # `from a.b import c`: c may be a module (a.b.c) or a name in a.b; _resolve finds which.
            names = [f"{origin}.{alias.name}" for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                yield target, node.lineno


def build_graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    return {module: dict(imports_of(module, path, modules)) for module, path in modules.items()}


def upward_imports(graph: dict[str, dict[str, int]], modules: dict[str, Path]) -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        floor = FLOOR_OF[module.split(".")[0]]
        for target, line in sorted(targets.items()):
            target_floor = FLOOR_OF[target.split(".")[0]]
            if target_floor > floor:
                where = (
                    modules[module].name
                    if not modules[module].is_relative_to(ROOT)
                    else modules[module].relative_to(ROOT)
                )
                problems.append(
                    f"{where}:{line}: {module} (floor {floor}, {FLOORS[floor]}) imports {target} "
                    f"(floor {target_floor}, {FLOORS[target_floor]}): a file imports only from its floor or lower"
                )
    return problems


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one file (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def check(root: Path = ROOT) -> list[str]:
    """Every floor violation under `root` (empty: the floors are clean)."""
    modules = source_files(root)
    graph = build_graph(modules)
    problems = upward_imports(graph, modules)
    for component in cycles(graph):
        edges = [f"{a} -> {b} (line {graph[a][b]})" for a in component for b in sorted(graph[a]) if b in set(component)]
        problems.append("import cycle between " + ", ".join(component) + ":\n    " + "\n    ".join(edges))
    return problems


def main(argv: list[str]) -> int:
    if "--graph" in argv:
        modules = source_files()
        for module, targets in sorted(build_graph(modules).items()):
            outside = sorted(t for t in targets if t.split(".")[0] != module.split(".")[0])
            print(f"{module} -> {', '.join(outside) or '-'}")
    problems = check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} floor violation(s). The floors, bottom to top: {' < '.join(FLOORS)}.")
        return 1
    print(f"Floors clean: no upward import, no import cycle ({' < '.join(FLOORS)}).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
