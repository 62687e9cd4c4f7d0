"""Render BPMN diagrams to PNG with bpmn-js, the way bpmn.io draws them.

    .venv/bin/python scripts/render_diagrams.py                 # every processes/*.bpmn
    .venv/bin/python scripts/render_diagrams.py processes/cc_intake.bpmn
    make diagrams                                               # npm ci, then this script

Each file is loaded into bpmn-js's viewer (node_modules/bpmn-js, installed by `npm ci`
from package-lock.json) in headless Chromium driven by Playwright, zoomed to fit the
whole diagram with a margin, and saved as docs/diagrams/<process_id>.png.

The page is written to a temporary directory and opened through file://; every request
that is not a file:// URL is refused, so rendering never touches the network.

A file that bpmn-js cannot import, or imports with warnings (unknown elements, broken
references, missing diagram interchange, ...), is reported with its name and the
warnings, no PNG is written for it, and the script exits 1 after trying the rest
(--allow-warnings still fails on import errors but draws a file that has warnings).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CHROMIUM = os.environ.get("CARECYCLE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MARGIN = 30  # diagram units (= CSS pixels at 1:1) around the drawing
MAX_SIDE = 8000  # CSS pixels; larger drawings are scaled down to fit

PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<link rel="stylesheet" href="assets/diagram-js.css">
<link rel="stylesheet" href="assets/bpmn-js.css">
<style>
  html, body { margin: 0; padding: 0; background: #fff; overflow: hidden; }
  #canvas { width: 100vw; height: 100vh; }
  /* nothing interactive in a picture */
  .djs-palette, .bjs-powered-by, .djs-context-pad { display: none !important; }
</style>
<script src="bpmn-viewer.production.min.js"></script>
</head>
<body>
<div id="canvas"></div>
<script>
  let viewer = null;

  // Import one diagram; return its drawing's bounding box or the error and warnings.
  window.importDiagram = async function (xml) {
    if (viewer) { viewer.destroy(); }
    viewer = new BpmnJS({ container: "#canvas" });
    try {
      const result = await viewer.importXML(xml);
      const warnings = (result.warnings || []).map(w => String(w.message || w));
      const inner = viewer.get("canvas").viewbox().inner;
      const box = { x: inner.x, y: inner.y, width: inner.width, height: inner.height };
      return { ok: true, warnings, inner: box };
    } catch (err) {
      const warnings = (err.warnings || []).map(w => String(w.message || w));
      return { ok: false, error: String(err.message || err), warnings };
    }
  };

  // After the page was resized to the drawing: zoom to fit, keeping a margin all round.
  window.fitDiagram = function (margin) {
    const canvas = viewer.get("canvas");
    canvas.resized();
    canvas.zoom("fit-viewport");
    const inner = canvas.viewbox().inner;
    canvas.viewbox({
      x: inner.x - margin, y: inner.y - margin,
      width: inner.width + 2 * margin, height: inner.height + 2 * margin,
    });
    return canvas.zoom();
  };
</script>
</body>
</html>
"""


class RenderError(Exception):
    """A diagram that could not be rendered cleanly; the message names the file."""


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the project root when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def process_id(path: Path) -> str:
    """The id of the file's executable process (the first process when none is marked)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise RenderError(f"{shown(path)}: not well-formed XML: {exc}") from exc
    processes = root.findall(f"{{{BPMN_NS}}}process")
    if not processes:
        raise RenderError(f"{shown(path)}: no <bpmn:process> in the file")
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    chosen = (executable or processes)[0].get("id")
    if not chosen:
        raise RenderError(f"{shown(path)}: the process has no id")
    return chosen


def build_page(directory: Path, node_modules: Path) -> Path:
    """Write the viewer page and the bpmn-js files it needs into directory."""
    dist = node_modules / "bpmn-js" / "dist"
    viewer_js = dist / "bpmn-viewer.production.min.js"
    if not viewer_js.is_file():
        raise RenderError(
            f"{viewer_js} is missing: run `npm ci` at the project root (or `make diagrams`)"
        )
    shutil.copy(viewer_js, directory / viewer_js.name)
    shutil.copytree(dist / "assets", directory / "assets")
    page = directory / "index.html"
    page.write_text(PAGE, encoding="utf-8")
    return page


def render_all(
    paths: list[Path], out_dir: Path, node_modules: Path, scale: float, allow_warnings: bool
) -> int:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print(
            "render_diagrams: Playwright is not installed in this Python: "
            "pip install -e '.[diagrams]' (or `make diagrams`)",
            file=sys.stderr,
        )
        return 1
    if not Path(CHROMIUM).is_file():
        print(
            f"render_diagrams: no Chromium at {CHROMIUM}: apt-get install chromium "
            "(or set CARECYCLE_CHROMIUM)",
            file=sys.stderr,
        )
        return 1

    out_dir.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="carecycle-diagrams-") as tmp:
        try:
            page_file = build_page(Path(tmp), node_modules)
        except RenderError as exc:
            print(f"render_diagrams: {exc}", file=sys.stderr)
            return 1
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(
                    viewport={"width": 1600, "height": 1000}, device_scale_factor=scale
                )
                page = context.new_page()
                # No network: only the files of the temporary directory may load.
                page.route(
                    "**/*",
                    lambda route: (
                        route.continue_()
                        if route.request.url.startswith("file://")
                        else route.abort()
                    ),
                )
                page_errors: list[str] = []
                page.on("pageerror", lambda exc: page_errors.append(str(exc)))
                page.goto(page_file.as_uri())
                page.wait_for_function("typeof window.importDiagram === 'function'")
                if page_errors:
                    print(
                        f"render_diagrams: the viewer page failed: {page_errors}", file=sys.stderr
                    )
                    return 1
                for path in paths:
                    t0 = time.perf_counter()
                    try:
                        target = render_one(page, path, out_dir, allow_warnings)
                    except RenderError as exc:
                        failures.append(str(exc))
                        print(f"FAILED {exc}", file=sys.stderr)
                        continue
                    took = time.perf_counter() - t0
                    print(f"{shown(path)} -> {shown(target)} ({took:.2f} s)")
            finally:
                browser.close()
    total = time.perf_counter() - started
    rendered = len(paths) - len(failures)
    print(f"rendered {rendered} of {len(paths)} diagram(s) in {total:.2f} s")
    if failures:
        print(f"render_diagrams: {len(failures)} file(s) failed:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


def _spiff_data_reference(warning: str, xml: str) -> bool:
    """SpiffWorkflow reads multi-instance data refs as variable names, which bpmn-js cannot
    resolve to elements: that warning is expected and harmless."""
    match = re.fullmatch(r"unresolved reference <([^>]+)>", warning.strip())
    if match is None:
        return False
    name = re.escape(match.group(1))
    return re.search(rf"<bpmn:loopData(?:Input|Output)Ref>\s*{name}\s*<", xml) is not None


def render_one(page, path: Path, out_dir: Path, allow_warnings: bool) -> Path:  # type: ignore[no-untyped-def]
    pid = process_id(path)
    xml = path.read_text(encoding="utf-8")
    result = page.evaluate("xml => window.importDiagram(xml)", xml)
    if not result["ok"]:
        details = "".join(f"\n    - {w}" for w in result["warnings"])
        raise RenderError(f"{shown(path)}: bpmn-js could not import it: {result['error']}{details}")
    warnings = [w for w in result["warnings"] if not _spiff_data_reference(w, xml)]
    if warnings:
        details = "".join(f"\n    - {w}" for w in warnings)
        if not allow_warnings:
            raise RenderError(f"{shown(path)}: bpmn-js imported it with warnings:{details}")
        print(
            f"WARNING {shown(path)}: bpmn-js imported it with warnings:{details}", file=sys.stderr
        )
    inner = result["inner"]
    if inner["width"] <= 0 or inner["height"] <= 0:
        raise RenderError(
            f"{shown(path)}: nothing to draw (no diagram interchange / bpmndi shapes?)"
        )
    width = inner["width"] + 2 * MARGIN
    height = inner["height"] + 2 * MARGIN
    shrink = min(1.0, MAX_SIDE / max(width, height))
    page.set_viewport_size({"width": round(width * shrink), "height": round(height * shrink)})
    page.evaluate("margin => window.fitDiagram(margin)", MARGIN)
    target = out_dir / f"{pid}.png"
    page.locator("#canvas").screenshot(path=str(target), animations="disabled")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render BPMN files to docs/diagrams/<process_id>.png with bpmn-js."
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, help="BPMN files (default: every processes/*.bpmn)"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "diagrams", help="output directory"
    )
    parser.add_argument(
        "--node-modules", type=Path, default=ROOT / "node_modules", help="where bpmn-js is"
    )
    parser.add_argument(
        "--scale", type=float, default=1.5, help="device pixels per diagram unit (default 1.5)"
    )
    parser.add_argument(
        "--allow-warnings",
        action="store_true",
        help="draw files that bpmn-js imports with warnings (still reported) instead of failing",
    )
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "processes").glob("*.bpmn"))
    if not paths:
        print("render_diagrams: no BPMN files to render", file=sys.stderr)
        return 1
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"render_diagrams: no such file: {', '.join(missing)}", file=sys.stderr)
        return 1
    try:
        return render_all(
            [Path(p) for p in paths], args.out, args.node_modules, args.scale, args.allow_warnings
        )
    except RenderError as exc:  # raised before any page exists (e.g. bad XML)
        print(f"render_diagrams: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
