"""Headless-Chromium screenshot of Neo4j Browser on the project's server running a saved query.

Proves what a psychologist sees: connect with the configured credentials (MindKG's style and
guide load on connect), set the student parameter, run a saved query from cypher/queries/,
and save the page as a PNG. Needs Debian's chromium and the `playwright` package (no browser
download: it drives /usr/bin/chromium).

    MINDKG_NEO4J_PASSWORD=... python scripts/browser_screenshot.py --student stu_... \
        --query 02_student_graph.cypher --out docs/img/browser-student-graph.png

With --browse-copy it connects to the browse-only copy (`mindkg neo4j browse-copy refresh`) as
its browsing login instead, and --then-write runs a write after the query, to show the
server's read-only refusal:

    python scripts/browser_screenshot.py --browse-copy --student stu_... \
        --then-write 'MATCH (s:Student {id: $student}) SET s.note = "edited"' \
        --out docs/img/browser-readonly-write-refused.png
"""

from __future__ import annotations

import argparse
import os
import time
import urllib.parse
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from contracts.settings import load_settings
from kg.cypher_files import CYPHER_DIR
from kg.server.browse_copy import browse_copy, browse_login

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _query_text(name: str) -> str:
    lines = (CYPHER_DIR / "queries" / name).read_text(encoding="utf-8").splitlines()
    return "\n".join(ln for ln in lines if not ln.startswith("//")).strip().rstrip(";")


def _run_in_editor(page: Page, command: str) -> None:
    editor = page.locator("[data-testid='activeEditor'] textarea, .monaco-editor textarea").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(command)
    page.keyboard.press("Control+Enter")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--student", required=True, help="student pseudonym (stu_...)")
    parser.add_argument("--query", default="02_student_graph.cypher")
    parser.add_argument("--out", type=Path, default=Path("docs/img/browser-student-graph.png"))
    parser.add_argument("--guide-out", type=Path, default=None, help="also save the guide shown on connect")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--browse-copy", action="store_true",
                        help="connect to the browse-only copy as its browsing login")
    parser.add_argument("--copy-http-port", type=int, default=None)
    parser.add_argument("--copy-bolt-port", type=int, default=None)
    parser.add_argument("--then-write", default=None,
                        help="a write to run after the query; waits for the server's error")
    parser.add_argument("--height", type=int, default=1000, help="viewport height in pixels")
    args = parser.parse_args()

    settings = load_settings()
    if args.browse_copy:
        copy = browse_copy(settings, bolt_port=args.copy_bolt_port, http_port=args.copy_http_port)
        login = browse_login(copy)
        http = f"http://localhost:{copy.layout.http_port}"
        bolt = copy.layout.bolt_uri
        user, password = login.user, login.password
    else:
        http = f"http://localhost:{settings.neo4j_http_port}"
        bolt = f"bolt://localhost:{settings.neo4j_bolt_port}"
        user, password = settings.neo4j_user, settings.neo4j_password_value()
    url = f"{http}/browser/?" + urllib.parse.urlencode({"dbms": bolt})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": args.height})
        page.goto(url, wait_until="networkidle")
        auth = page.locator("[data-testid='authenticationMethod']")
        auth.select_option("NO_AUTH")  # re-selecting NATIVE reveals the user/password fields
        auth.select_option("NATIVE")
        page.locator("[data-testid='username']").fill(user)
        page.locator("[data-testid='password']").fill(password)
        page.locator("[data-testid='connect']").click()
        page.wait_for_selector("text=/Connected to Neo4j|You are connected/", timeout=30_000)
        time.sleep(3)  # post_connect_cmd: MindKG style + guide
        if args.guide_out is not None:
            page.wait_for_selector("text=MindKG for psychologists", timeout=30_000)
            page.screenshot(path=str(args.guide_out))
        _run_in_editor(page, f":param student => '{args.student}'")
        time.sleep(1.5)
        _run_in_editor(page, _query_text(args.query))
        try:  # graph results render as SVG nodes; tabular ones as a table
            page.wait_for_selector("svg g.node", timeout=15_000)
        except PlaywrightTimeout:
            page.wait_for_selector("table, [data-testid='frameContents']", timeout=15_000)
        time.sleep(4)  # let the force layout settle
        if args.then_write is not None:
            _run_in_editor(page, ":server status")  # shows who is connected, to which server
            page.wait_for_selector(f"text=/connected as user.*{user}/", timeout=15_000)
            _run_in_editor(page, args.then_write)
            page.wait_for_selector("text=/WriteOnReadOnlyAccessDatabase|read-only mode/",
                                   timeout=30_000)
            time.sleep(1.5)
        page.screenshot(path=str(args.out))
        browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
