"""The production server (granian) on 127.0.0.1, and the chart pages in headless Chromium."""

import json
import os
import time
import urllib.request

import pytest
from playwright.sync_api import expect, sync_playwright

from service.pages import PAGES
from tests.servers import service_process

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(ROOT, "test-artifacts", "screenshots")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def server(gold_lakehouse, tmp_path_factory):
    """python -m service.serve (granian, 2 workers) over the test lakehouse; yields its URL and its log file."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with service_process(gold_lakehouse, log) as (url, _):
        yield url, log


def test_requests_are_logged_as_json_lines_with_id_route_status_ms_and_cache(server):
    url, log = server
    for _ in range(2):
        urllib.request.urlopen(urllib.request.Request(f"{url}/api/movies/genres", headers={"X-Request-Id": "trace-me"}))
    time.sleep(0.5)
    lines = [json.loads(line) for line in open(log) if line.startswith("{") and "trace-me" in line]
    assert [line["cache"] for line in lines] in (["miss", "hit"], ["miss", "miss"])  # two workers, one cache each
    assert all(line["route"] == "/api/movies/genres" and line["status"] == 200 and line["ms"] > 0 for line in lines)


def test_ready_and_openapi_over_http(server):
    url, _ = server
    assert json.load(urllib.request.urlopen(f"{url}/ready"))["status"] == "ready"
    assert "/api/songs/artists" in json.load(urllib.request.urlopen(f"{url}/openapi.json"))["paths"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("page", PAGES, ids=[p.slug for p in PAGES])
def test_each_page_draws_its_chart_with_no_console_errors(server, browser, page):
    url, _ = server
    tab = browser.new_page(viewport={"width": 1100, "height": 800})
    errors = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(f"{url}/{page.slug}")
    # a function, not an expression: Playwright evals an expression, which the pages' CSP (no 'unsafe-eval') refuses
    tab.wait_for_function("() => window.medialakeChart && window.medialakeChart.data.datasets.length > 0", timeout=15000)
    points = tab.evaluate("window.medialakeChart.data.datasets.reduce((n, d) => n + d.data.length, 0)")
    os.makedirs(ARTIFACTS, exist_ok=True)
    tab.screenshot(path=os.path.join(ARTIFACTS, page.slug.replace("/", "_") + ".png"), full_page=True)
    tab.close()
    assert points > 0 and errors == []


def test_the_home_page_links_every_view_and_works_on_a_phone(server, browser):
    url, _ = server
    tab = browser.new_page(viewport={"width": 390, "height": 844})
    tab.goto(url)
    links = tab.eval_on_selector_all(".cards a", "as => as.map(a => a.getAttribute('href'))")
    assert links == [f"/{p.slug}" for p in PAGES]
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tab.screenshot(path=os.path.join(ARTIFACTS, "home_phone.png"), full_page=True)
    tab.close()


def test_a_bad_form_value_shows_the_api_error(server, browser):
    url, _ = server
    tab = browser.new_page()
    tab.goto(f"{url}/movies/genres")
    tab.wait_for_function("() => window.medialakeChart !== undefined", timeout=15000)
    tab.fill("input[name=year_to]", "1900")
    tab.click("button[type=submit]")
    tab.wait_for_selector("#status.error")
    assert "year_to" in tab.inner_text("#status")
    tab.close()


def test_chat_page_streams_picks_using_the_last_chart_as_context(server, browser):
    url, _ = server
    tab = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(f"{url}/songs/genres")
    tab.wait_for_function("() => window.medialakeChart && window.medialakeChart.data.datasets.length > 0", timeout=15000)
    viewed = tab.evaluate("JSON.parse(sessionStorage.getItem('medialake.view')).rows.map(r => r.genre)")
    tab.click("a[href='/chat']")
    # chat.js fills #view when it runs, after the page is in: wait for the text, not just the element
    expect(tab.locator("#view")).to_contain_text("Genre popularity", timeout=15000)
    tab.fill("input[name=message]", "of the genres in this chart, something upbeat")
    tab.click("#chat button[type=submit]")
    tab.wait_for_function("() => window.medialakeChat !== undefined", timeout=30000)
    picks = tab.eval_on_selector_all("#picks li", "lis => lis.map(li => li.innerText)")
    assert len(picks) == 3 and all("BPM" in p for p in picks) and tab.inner_text("#text")
    assert any(genre in picks[0] for genre in viewed)
    tab.fill("input[name=todos]", "gym 7-8, work 9-17, dinner 19-20")
    tab.click("#schedule button[type=submit]")
    tab.wait_for_function("() => window.medialakeSchedule !== undefined", timeout=30000)
    assert tab.locator("#slots section").count() == 3
    tab.screenshot(path=os.path.join(ARTIFACTS, "chat.png"), full_page=True)
    tab.close()
    assert errors == []


# Runs before any script of the page: every Content-Security-Policy violation is kept in window.violations.
WATCH_VIOLATIONS = """window.violations = [];
document.addEventListener("securitypolicyviolation", e => window.violations.push(e.effectiveDirective + " " + e.blockedURI));"""
CHARTS = {f"/{p.slug}" for p in PAGES}


def watched_tab(browser, url: str):
    """A tab on `url` that records policy violations and console errors: (tab, response, console errors)."""
    tab, errors = browser.new_page(viewport={"width": 1100, "height": 800}), []
    tab.add_init_script(WATCH_VIOLATIONS)
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    return tab, tab.goto(url), errors


@pytest.mark.parametrize("path", ["/", *sorted(CHARTS), "/chat", "/docs"])
def test_every_page_works_under_its_content_security_policy(server, browser, path):
    url, _ = server
    tab, response, errors = watched_tab(browser, url + path)
    policy = response.headers.get("content-security-policy", "")
    if path in CHARTS:
        tab.wait_for_function("() => window.medialakeChart && window.medialakeChart.data.datasets.length > 0", timeout=15000)
    if path == "/chat":  # chat.js ran: it says which chart the chat would use
        tab.wait_for_function("() => document.getElementById('view').textContent !== ''", timeout=15000)
    violations = tab.evaluate("window.violations")
    tab.close()
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy and response.headers.get("x-frame-options") == "DENY"
    assert violations == [] and errors == []


def test_the_violation_watch_sees_inline_styles_and_foreign_images(server, browser):
    url, _ = server
    tab, _, _ = watched_tab(browser, url + "/docs")
    tab.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p><img src=\"https://example.com/x.png\">')")
    tab.wait_for_function("() => window.violations.length >= 2", timeout=5000)
    directives = {v.split(" ")[0] for v in tab.evaluate("window.violations")}
    tab.close()
    assert directives == {"style-src-attr", "img-src"}
