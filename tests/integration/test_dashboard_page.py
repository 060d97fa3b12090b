"""The aggregator's dashboard page in a real headless Chromium, fed by the real pipeline.

Articles go through a real ingest service and a real Kafka broker into a real
aggregator; the page that aggregator serves is loaded in Chromium (driven by
chromedriver through Selenium), and every figure it shows is compared with the JSON
API it reads. The page marks its figures with data attributes, so the comparison
does not depend on how numbers are formatted for people.

Chromium and chromedriver come from the Debian packages ``chromium`` and
``chromium-driver`` (``scripts/system-deps.sh`` installs them).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options as ChromeOptions
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from tests.integration.processes import (
    aggregator_service,
    get_json,
    ingest_service,
    post_article,
)
from tocsin.aggregator.page import PAGE_FILE, content_security_policy, dashboard_page

T = TypeVar("T")

_BROWSER_MISSING = (
    "chromium and chromedriver are needed to test the dashboard page. They come with the "
    "Debian packages 'chromium' and 'chromium-driver': run ./scripts/system-deps.sh as root. "
    "This fails rather than skips because nothing else checks what the page shows."
)
# Quiet and offline: no sandbox (tests run as root), no GPU, no background traffic of
# the browser's own (updates, sync, QUIC probes), and a fresh profile per test.
_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1400",
)

# Moldova: no other test writes about it, so its figures here are this test's own.
COUNTRY = "MD"
TODAY = "2025-03-12"  # the curfew reported below runs until 30 March, so it is active
# The quote carries markup on purpose: the page must show it as text.
MARKUP_QUOTE = "We will not <b>bow</b> to threats & lies"
FIRST = {
    "id": "it-dashboard-page-md-1",
    "title": "Moldova imposes curfew in Chisinau after deadly clashes",
    "source": "Tocsin test",
    "published_at": "2025-03-10T08:00:00Z",
    "body": (
        "Authorities in Moldova imposed a curfew in Chisinau on Monday after a night of "
        "clashes between police and protesters.\n\n"
        "The interior ministry said 3 police officers and 5 protesters were killed, and at "
        "least 40 people were injured. About 120 people were detained.\n\n"
        f'"{MARKUP_QUOTE}," Interior Minister Ion Rusu said.\n\n'
        "The curfew is in force in Chisinau until March 30, the city hall said. Some 300 "
        "gendarmes were deployed to the capital."
    ),
}
# Another country, so that the country filter has something to leave out.
ELSEWHERE = {
    "id": "it-dashboard-page-am-1",
    "title": "Armenian police detain protesters in Yerevan",
    "source": "Tocsin test",
    "published_at": "2025-03-11T09:00:00Z",
    "body": (
        "Police in Armenia detained 64 protesters in Yerevan on Tuesday, the interior "
        "ministry said.\n\nSeveral people were injured during the arrests."
    ),
}
# A later report that raises a figure, to see the open page follow without a reload.
SECOND = {
    "id": "it-dashboard-page-md-2",
    "title": "Moldova: toll of Chisinau clashes rises",
    "source": "Tocsin test",
    "published_at": "2025-03-11T10:00:00Z",
    "body": (
        "The number of protesters killed in the clashes in Chisinau rose to 9 on Tuesday, "
        "Moldova's health ministry said. Police said 2 more officers had been injured."
    ),
}

# Everything the page shows, read from its data attributes in one round trip.
_READ_PAGE = """
const data = (el) => Object.assign({}, el.dataset);
const all = (selector) => Array.from(document.querySelectorAll(selector));
const banner = document.getElementById("error");
return {
  state: document.body.dataset.state || null,
  updated: document.body.dataset.updated || null,
  readiness: document.getElementById("readiness").textContent,
  error: banner.hidden ? null : banner.textContent,
  casualties: all("#casualties td[data-group]").map(data),
  deployments: all("#deployments td[data-force]").map(data),
  curfews: all("#curfews tbody tr").map(data),
  counts: all("#statement-counts li").map(data),
  statements: all("#statements tbody tr").map((row) => Object.assign(
    Object.fromEntries(Array.from(row.querySelectorAll("[data-field]"))
      .map((cell) => [cell.dataset.field, cell.textContent])),
    { country: row.dataset.country,
      published_at: row.querySelector("time").getAttribute("datetime") })),
  markupInStatements: document.querySelectorAll(
    '#statements td[data-field="quote"] *, #statements td[data-field="speaker"] *').length,
};
"""


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    """A headless Chromium under chromedriver, with a profile of its own; quit at the end."""
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        pytest.fail(_BROWSER_MISSING, pytrace=False)
    options = ChromeOptions()
    # With the driver's path given, Selenium skips Selenium Manager, which would try to
    # download a driver; the browser's path keeps chromedriver from guessing one.
    options.binary_location = chromium
    for flag in (*_CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    # The console shows script errors and Content-Security-Policy refusals.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = ChromeService(chromedriver, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def _wait_for(what: str, probe: Callable[[], T | None], timeout: float = 30) -> T:
    """The first true answer of ``probe`` within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


def _read_page(browser: WebDriver) -> dict[str, Any]:
    page: dict[str, Any] = browser.execute_script(_READ_PAGE)
    return page


def _shown(page: dict[str, Any]) -> dict[str, Any]:
    """The figures on the page, in the shape of ``_expected``."""
    return {
        "casualties": [
            (c["country"], c["outcome"], c["group"], int(c["value"])) for c in page["casualties"]
        ],
        "deployments": [
            (d["country"], d["force"], int(d["value"]) if d["value"] else None)
            for d in page["deployments"]
        ],
        "curfews": [
            (c["country"], c["kind"], c.get("location"), c.get("startsOn"), c.get("endsOn"))
            for c in page["curfews"]
        ],
        "counts": {c["country"]: int(c["value"]) for c in page["counts"]},
        "statements": [
            (s["country"], s["speaker"], s["quote"], s["published_at"]) for s in page["statements"]
        ],
    }


def _expected(agg: str, country: str | None = None) -> dict[str, Any]:
    """What the page should show, from the JSON API, in the API's own order."""
    only = f"&country={country}" if country else ""
    totals = get_json(f"{agg}/v1/totals?{only}")["totals"]
    statements = get_json(f"{agg}/v1/statements?limit=20{only}")
    return {
        "casualties": [
            (row["country"], row["outcome"], group, value)
            for row in totals
            for group, value in [*row["groups"].items(), ("all", row["all"])]
        ],
        "deployments": [
            (d["country"], d["force"], d["size"])
            for d in get_json(f"{agg}/v1/deployments?{only}")["deployments"]
        ],
        "curfews": [
            (c["country"], c["kind"], c["location"], c["starts_on"], c["ends_on"])
            for c in get_json(f"{agg}/v1/curfews?active=true{only}")["curfews"]
        ],
        "counts": statements["counts"],
        "statements": [
            (s["country"], s["speaker"], s["quote"], s["published_at"])
            for s in statements["statements"]
        ],
    }


def _page_matches_api(
    browser: WebDriver, agg: str, country: str | None = None, timeout: float = 15
) -> dict[str, Any]:
    """The page once it shows what the API answers.

    Retrying rides out a page that is one refresh behind the API; a figure the page
    gets wrong never converges and fails the comparison.
    """
    deadline = time.monotonic() + timeout
    while True:
        expected = _expected(agg, country)
        page = _read_page(browser)
        if page["state"] == "ok" and _shown(page) == expected:
            return page
        if time.monotonic() > deadline:
            assert page["state"] == "ok", page["error"]
            assert _shown(page) == expected, "the page does not show what the API answers"
        time.sleep(0.3)


def _error_shown(browser: WebDriver) -> dict[str, Any] | None:
    """The page, once its error banner is up."""
    page = _read_page(browser)
    return page if page["state"] == "error" and page["error"] else None


def _severe_console_messages(browser: WebDriver) -> list[str]:
    entries: list[dict[str, Any]] = browser.get_log("browser")
    return [e["message"] for e in entries if e["level"] == "SEVERE"]


@pytest.mark.kafka
def test_page_shows_the_api_figures_refreshes_and_reports_failures(
    kafka_bootstrap: str, tmp_path: Path, browser: WebDriver
) -> None:
    """Every figure on the page equals the API's, it follows new articles, and it says when
    the API is gone."""
    with (
        ingest_service(kafka_bootstrap, tmp_path / "ingest") as ingest,
        aggregator_service(
            kafka_bootstrap, tmp_path / "agg", group="it-dashboard-page", today=TODAY
        ) as agg,
    ):
        post_article(ingest, FIRST)
        _wait_for(
            "the aggregator to count the first article and catch up",
            lambda: (
                get_json(f"{agg.url}/v1/totals?country={COUNTRY}")["totals"]
                and httpx.get(f"{agg.url}/readyz", timeout=5).status_code == 200
            ),
        )

        # A refresh period that is not a number falls back to the default; one below the
        # floor is raised to it.
        for asked, used in (("soon", "5"), ("0.01", "1")):
            browser.get(f"{agg.url}/?refresh={asked}")
            assert browser.find_element(By.ID, "interval").text == used
        browser.get(f"{agg.url}/?refresh=1")
        assert browser.title == "Tocsin: running totals"
        assert browser.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == "en"
        page = _page_matches_api(browser, agg.url)
        shown = _shown(page)
        assert page["readiness"] == "caught up"
        assert any(c[0] == COUNTRY for c in shown["casualties"])
        assert any(d[0] == COUNTRY for d in shown["deployments"])
        assert any(c[0] == COUNTRY for c in shown["curfews"])
        # The quote's markup is shown as characters and made no element.
        assert (COUNTRY, "Ion Rusu", MARKUP_QUOTE, "2025-03-10T08:00:00+00:00") in shown[
            "statements"
        ]
        assert page["markupInStatements"] == 0
        # Column and row headers, so a screen reader can name every figure.
        headers = browser.execute_script(
            "return Array.from(document.querySelectorAll('#casualties th'))"
            ".map((th) => th.getAttribute('scope'));"
        )
        assert set(headers) == {"col", "row"}

        before = dict(shown)
        post_article(ingest, SECOND)
        _wait_for(
            "the aggregator to count the second article",
            lambda: _expected(agg.url)["casualties"] != before["casualties"],
        )
        # The same open page, never reloaded, now shows the new figures.
        page = _page_matches_api(browser, agg.url)
        assert _shown(page)["casualties"] != before["casualties"]
        assert _severe_console_messages(browser) == []

        screenshot = tmp_path / "dashboard.png"
        assert browser.save_screenshot(str(screenshot))
        print(f"screenshot of the dashboard page: {screenshot}")  # for people, with -s

        # Another country's figures, for the country filter to leave out.
        post_article(ingest, ELSEWHERE)
        _wait_for(
            "the aggregator to count the article from elsewhere",
            lambda: get_json(f"{agg.url}/v1/totals?country=AM")["totals"],
        )
        # A lower-case code is accepted.
        browser.get(f"{agg.url}/?refresh=1&country={COUNTRY.lower()}")
        page = _page_matches_api(browser, agg.url, COUNTRY)
        filtered = _shown(page)
        assert filtered["casualties"]
        for table in ("casualties", "deployments", "curfews", "statements"):
            assert {row[0] for row in filtered[table]} == {COUNTRY}, table
        assert set(filtered["counts"]) == {COUNTRY}
        assert browser.find_element(By.ID, "country").get_attribute("value") == COUNTRY
        assert browser.find_element(By.ID, "show-all").is_displayed()
        # Something that is not a country code shows every country, not an error.
        browser.get(f"{agg.url}/?refresh=1&country=x1")
        assert (
            _shown(_page_matches_api(browser, agg.url))["casualties"]
            == _expected(agg.url)["casualties"]
        )
        assert not browser.find_element(By.ID, "show-all").is_displayed()
        browser.get(f"{agg.url}/?refresh=1&country={COUNTRY}")
        page = _page_matches_api(browser, agg.url, COUNTRY)

    # The aggregator is gone; the page keeps its last figures and says so.
    failed = _wait_for("the error banner", lambda: _error_shown(browser))
    assert browser.save_screenshot(str(tmp_path / "dashboard-error.png"))
    assert "Could not update" in failed["error"]
    assert "The figures below are from" in failed["error"]
    assert _shown(failed)["casualties"] == _shown(page)["casualties"]


def test_page_is_self_contained_and_writes_no_markup() -> None:
    """The shipped page loads nothing from elsewhere and never parses data as HTML."""
    page = dashboard_page()
    html = page.html.decode("utf-8")
    # Nothing fetched from another origin: no absolute or protocol-relative URLs in
    # src/href attributes or CSS, no @import.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:[a-z]+:)?//""", html, re.IGNORECASE)
    assert not re.search(r"url\(|@import", html, re.IGNORECASE)
    # The escaping rule, checked where it is easy to break: no HTML-parsing DOM calls.
    (script,) = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    for call in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert call not in script, f"{PAGE_FILE} uses {call}"
    policy = page.headers["Content-Security-Policy"]
    assert policy == content_security_policy(html)
    assert policy.count("'sha256-") == 2, "one inline script and one inline style, by hash"
    assert "unsafe-inline" not in policy
