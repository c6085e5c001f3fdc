"""The apps form layers (README「Layout」): a lower app never imports a higher one, and between apps
only the open rooms are imported. Reads every module's imports, at module level and inside
function bodies, and names the file, the line and the rule an import breaks."""

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
