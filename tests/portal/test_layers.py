"""The apps form layers (README「Layout」): a lower app never imports a higher one, between apps
only the open rooms are imported, and the modules of one app import each other without a cycle
(a service enqueues a task by name, `portal.celery.enqueue_task`, and never imports `tasks`).
Reads every module's imports, at module level and inside function bodies, and names the file, the
line and the rule an import breaks."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Rank of each app: an app may import apps of a lower rank only (portal core: none).
LAYERS: dict[str, int] = {
    "portal": 0,
    "support": 1,
    "notices": 1,
    "cases": 2,
    "partners": 2,
    "guidance": 3,
    "desk": 4,
    "oversight": 5,
    "front": 6,
}
# What another app may import of an app (portal core is the shared machinery: open to all).
OPEN_ROOMS = {"models", "querysets", "selectors", "services", "access", "reference"}


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):  # every node: module level and function bodies alike
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if "." in node.module:
                found.append((node.lineno, node.module))
            else:  # `from partners import links` imports the module partners.links
                found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def violations(app: str) -> list[str]:
    problems = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in _imports(tree):
            parts = module.split(".")
            target = parts[0]
            if target not in LAYERS or target == app:
                continue
            where = f"{path.relative_to(ROOT)}:{line}: imports {module}"
            if LAYERS[target] >= LAYERS[app]:
                problems.append(
                    f"{where} — {app}/ (layer {LAYERS[app]}) may not import {target}/ "
                    f"(layer {LAYERS[target]}): register a provider with portal core instead"
                )
            elif target != "portal" and len(parts) > 1 and parts[1] not in OPEN_ROOMS:
                problems.append(
                    f"{where} — between apps only {', '.join(sorted(OPEN_ROOMS))} are open: "
                    f"{target}.{parts[1]} is {target}/'s own room"
                )
    return problems


def _present_apps() -> list[str]:
    return [app for app in LAYERS if (ROOT / app).is_dir()]


def test_every_app_imports_only_lower_apps_through_their_open_rooms():
    problems = [p for app in _present_apps() for p in violations(app)]
    assert not problems, "\n".join(problems)


def test_the_check_finds_an_import_that_runs_up_or_into_a_closed_room(tmp_path, monkeypatch):
    import tests.portal.test_layers as layers

    (tmp_path / "partners").mkdir()
    (tmp_path / "partners" / "views.py").write_text(
        "def page():\n    from guidance.selectors import dashboard\n", encoding="utf-8"
    )
    (tmp_path / "guidance").mkdir()
    (tmp_path / "guidance" / "reports.py").write_text(
        "from cases.stats import stats_of\nfrom partners import links\n", encoding="utf-8"
    )
    monkeypatch.setattr(layers, "ROOT", tmp_path)
    up = layers.violations("partners")
    assert up == [
        "partners/views.py:2: imports guidance.selectors — partners/ (layer 2) may not import "
        "guidance/ (layer 3): register a provider with portal core instead"
    ]
    closed = layers.violations("guidance")
    assert [p.split(" — ")[0] for p in closed] == [
        "guidance/reports.py:1: imports cases.stats",
        "guidance/reports.py:2: imports partners.links",
    ]


# --- Cycles between the modules of one app -----------------------------------------------------------
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Ids of the import nodes under `if TYPE_CHECKING:`: they never run."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return skipped


# A queryset is part of its model (the model builds its manager from it), so its methods may name
# the app's models and access rules inside their bodies: the one back edge that is not a cycle.
QUERYSET_BACK_EDGES = {("querysets", "models"), ("querysets", "access")}


def _back_edge(module: str, target: str) -> bool:
    return (module.rsplit(".", 1)[-1], target.rsplit(".", 1)[-1]) in QUERYSET_BACK_EDGES


def import_graph(app: str) -> dict[str, dict[str, str]]:
    """module -> {module of the same app it imports -> "file:line"}; `from a import b` counts as
    an import of the module a.b when there is one (importing a.b also runs the package a, which
    is not counted: a package importing its own modules is not a cycle)."""
    paths = {
        _module_name(path): path
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    }
    graph: dict[str, dict[str, str]] = {}
    for module, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skipped = _type_checking_only(tree)
        edges: dict[str, str] = {}
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [
                    f"{node.module}.{alias.name}"
                    if f"{node.module}.{alias.name}" in paths
                    else node.module
                    for alias in node.names
                ]
            else:
                continue
            for name in names:
                if name in paths and name != module and not _back_edge(module, name):
                    edges.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
        graph[module] = edges
    return graph


def cycles(app: str) -> list[str]:
    """Each import cycle among the app's modules, once, as "a → b → a (where each import is)"."""
    graph = import_graph(app)
    found: dict[frozenset, str] = {}

    def walk(module: str, trail: list[str]) -> None:
        for target in sorted(graph.get(module, {})):
            if target in trail:
                loop = [*trail[trail.index(target) :], target]
                where = ", ".join(graph[a][b] for a, b in zip(loop, loop[1:], strict=False))
                found.setdefault(frozenset(loop), f"{' → '.join(loop)} ({where})")
            elif len(trail) < 8:
                walk(target, [*trail, target])

    for module in sorted(graph):
        walk(module, [module])
    return sorted(found.values())


def test_no_app_has_an_import_cycle_between_its_modules():
    problems = [c for app in _present_apps() for c in cycles(app)]
    assert not problems, (
        "import cycles (a task registers by name; services never import tasks):\n"
        + ("\n".join(problems))
    )


def test_the_check_finds_a_cycle_hidden_in_a_function_body(tmp_path, monkeypatch):
    import tests.portal.test_layers as layers

    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "desk" / "services.py").write_text(
        "def send():\n    from desk.tasks import mail\n", encoding="utf-8"
    )
    (tmp_path / "desk" / "tasks.py").write_text(
        "from desk import services\n\n\ndef mail():\n    services.send()\n", encoding="utf-8"
    )
    monkeypatch.setattr(layers, "ROOT", tmp_path)
    assert layers.cycles("desk") == [
        "desk.services → desk.tasks → desk.services (desk/services.py:2, desk/tasks.py:1)"
    ]
