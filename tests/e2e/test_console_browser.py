#!/usr/bin/env python3
"""The web console in a real browser (docs/console.md): Debian's chromium, headless,
driven through chromium-driver by python3-selenium, against a started sevu-server.

It logs in, sees the attempts of traffic sent through the hook listener (rows and the
drawn chart, and a new attempt arriving without a reload), creates and revokes a ticket
(a start is then refused by the usher), ends a live session (its next re-check is
refused), manages a stream user, checks that one account never sees another's rows, uses
the operator's account picker, logs in by keyboard alone, and renders every page at a
phone's width without sideways scrolling. The tests run in order on one server and one
browser, each building on the traffic and tickets of those before it. A screenshot of each page is saved under SEVU_CONSOLE_SCREENSHOTS
(default <build>/console-screenshots); with SEVU_CONSOLE_DOCS=<dir> the ones
docs/console.md shows are copied there too.

There is no skip: without chromium, chromium-driver or selenium the test fails, naming
the packages (scripts/install-deps --test installs them). The browser needs no display.
"""
# e2e: sqlite only: the pages drive the same /console/api on either store; test_console_api.py runs it on both.
# e2e: debian python3: python3-selenium is Debian's package, importable by /usr/bin/python3 only.

import base64
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import DEMO, check  # noqa: E402
from hooks_util import call  # noqa: E402

PACKAGES = "chromium chromium-driver python3-selenium"
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError as e:
    sys.exit(f"FAIL: selenium is missing ({e}); install {PACKAGES} (scripts/install-deps --test)"
             f" and run this with Debian's /usr/bin/python3")

ADMIN_TOKEN = "operator-token-for-the-browser-test-0123456789"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
LAPTOP = (1280, 900)
PHONE = 375
WAIT = 20  # seconds: a liveness bound, generous on a loaded machine
PASS = "secretpass123"

SHOTS = os.environ.get("SEVU_CONSOLE_SCREENSHOTS") or os.path.join(
    os.environ.get("SEVU_BUILD_DIR") or tempfile.gettempdir(), "console-screenshots")
DOCS_SHOTS = os.environ.get("SEVU_CONSOLE_DOCS")  # e.g. docs/console, to refresh the docs' images

srv = None      # the one server every test here uses
browser = None  # the one headless chromium


def start_browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            sys.exit(f"FAIL: {path} is missing; install {PACKAGES} (scripts/install-deps --test)")
    profile = tempfile.mkdtemp(prefix="sevu-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--user-data-dir=" + profile, "--window-size=%d,%d" % LAPTOP,
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--lang=en-US"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # test_pages_keep_their_security_headers
    if os.geteuid() == 0:
        opts.add_argument("--no-sandbox")  # chromium refuses to run as root with its sandbox
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.profile_dir = profile
    return driver


def stop_browser(driver):
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver.profile_dir, ignore_errors=True)


# ------------------------------------------------------------ page helpers

def wait_for(what, cond, timeout=WAIT):
    """Polls cond() until it is truthy; its value. Fails naming `what` and the page's errors."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = cond()
            if value:
                return value
        except Exception:  # an element replaced while read (a live refresh): ask again
            pass
        time.sleep(0.1)
    status = browser.find_element(By.ID, "status").text
    errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".error") if e.text]
    raise AssertionError(f"timed out waiting for {what} at {browser.current_url};"
                         f" status {status!r}, errors {errors}")


def open_page(hash_, heading):
    browser.get(srv.api_url + "/console/" + hash_)
    wait_for("heading " + heading, lambda: heading in browser.find_element(By.TAG_NAME, "h1").text)


def fill(form_id, **values):
    form = browser.find_element(By.ID, form_id)
    for name, value in values.items():
        control = form.find_element(By.NAME, name)
        if control.tag_name == "select":
            Select(control).select_by_value(value)
        else:
            control.clear()
            control.send_keys(str(value))
    return form


def submit(form_id, **values):
    fill(form_id, **values).find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def login_account(account):
    browser.get(srv.api_url + "/console/#/login")
    wait_for("the login form", lambda: browser.find_elements(By.ID, "login-account"))
    submit("login-account", cdn_id=account["cdn"], secret=account["secret"])
    wait_for("the timeline after login", lambda: "Attempts" in browser.find_element(By.TAG_NAME, "h1").text)
    check(f"Account {account['cdn']}" in browser.find_element(By.ID, "who").text)


def login_operator():
    browser.get(srv.api_url + "/console/#/login")
    wait_for("the login form", lambda: browser.find_elements(By.ID, "login-operator"))
    submit("login-operator", admin_token=ADMIN_TOKEN)
    wait_for("the operator's timeline", lambda: "Operator" in browser.find_element(By.ID, "who").text)


def logout():
    browser.find_element(By.ID, "logout").click()
    wait_for("the login page", lambda: browser.find_elements(By.ID, "login-account"))


def table_text(table_id):
    found = browser.find_elements(By.ID, table_id)
    return found[0].text if found else ""


def shot(name, docs=False):
    """The whole page (not only the window), at most 1600 CSS pixels tall, as a PNG."""
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, name + ".png")
    time.sleep(0.3)  # let the focus ring and a redrawn chart settle
    browser.execute_script("document.getElementById('status').textContent = ''")  # an earlier page's toast
    width, height = browser.execute_script(
        "return [document.documentElement.clientWidth, document.documentElement.scrollHeight]")
    png = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                  "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 1600), "scale": 1}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(png["data"]))
    print("screenshot:", path, flush=True)
    if docs and DOCS_SHOTS:
        os.makedirs(DOCS_SHOTS, exist_ok=True)
        shutil.copy(path, os.path.join(DOCS_SHOTS, name + ".png"))


# ------------------------------------------------------------ traffic through the usher

def play(key, ip, password=PASS, action="play", session=None, video="mystream"):
    """/hooks/check as a media server sends it: (status, reason)."""
    body = {"key": key, "pass": password, "ip": ip, "app": "demo-origin", "video": video, "action": action}
    if session:
        body["session"] = session
    status, _, data = call(srv, "/hooks/check", body)
    return status, json.loads(data).get("reason")


def seed_history():
    """An hour of the demo account's attempts (3 to 58 minutes ago), so the chart has a shape
    to check and the docs' screenshot something to show; {(granted?, reason): count}."""
    rows, counts = [], {}
    now = time.time()
    for m in range(3, 59):
        kinds = [("Success", 1 + (m * 7) % 4)] + ([("Publish Authorized", 1)] if m % 10 == 0 else [])
        kinds += [(r, n) for r, every, n in (("Token Revoked", 3, 1), ("Invalid IP Address", 5, 2),
                                              ("Expiration date surpassed", 7, 1), ("Invalid Auth Token", 4, 1))
                  if m % every == 0]
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now - m * 60))
        for reason, n in kinds:
            counts[reason] = counts.get(reason, 0) + n
            rows += [dict(cdn=DEMO["cdn"], key="history.0123456789abcd.%08d" % m, datetime=when,
                          ip="203.0.113.%d" % (m + i), video="mystream", app="demo-origin", appinst="play",
                          pageurl="", refurl="", **{"pass": "x"}, success=int(reason in ("Success", "Publish Authorized")),
                          reason=reason, server="sevu") for i in range(n)]
    harness.seed_attempts(srv, rows)
    return counts


# ------------------------------------------------------------ the tests

def test_timeline_shows_known_traffic_live():
    history = seed_history()
    key = harness.new_ticket(srv, uses=10)["key"]
    check(play(key, "198.51.100.1") == (200, "Success"))
    check(play(key, "198.51.100.2", password="wrong")[0] == 403)
    login_account(DEMO)
    rows = wait_for("the rows of the traffic", lambda: key in table_text("attempt-rows") and table_text("attempt-rows"))
    check("Invalid Auth Token" in rows and "198.51.100.1" in rows, rows)
    bars = browser.find_elements(By.CSS_SELECTOR, "#chart rect.bar")
    check(len(bars) >= 56, f"{len(bars)} bars drawn")
    # The chart's text alternative gives the totals: the seeded hour plus the two plays.
    desc = browser.find_element(By.CSS_SELECTOR, "#chart desc").get_attribute("textContent")
    check(f": {history['Success'] + history['Publish Authorized'] + 1} granted" in desc, desc)
    # Plays and publishes are both granted: the legend names the publishes' reason.
    legend = [li.text for li in browser.find_elements(By.CSS_SELECTOR, ".legend li")]
    check(f"Granted: {history['Success'] + 1}" in legend, legend)
    check(f"Granted: Publish Authorized: {history['Publish Authorized']}" in legend, legend)
    check(f"Invalid Auth Token {history['Invalid Auth Token'] + 1}" in desc, desc)
    check(f"Token Revoked {history['Token Revoked']}" in desc, desc)
    # A new attempt appears without a reload (the page polls every 2 s).
    check(play(key, "198.51.100.77") == (200, "Success"))
    wait_for("the live row", lambda: "198.51.100.77" in table_text("attempt-rows"))
    check(browser.find_elements(By.CSS_SELECTOR, "#attempt-rows tr.new"), "the new row is not marked")
    shot("timeline", docs=True)
    # The filters narrow the rows (exact ip) and the chart with them.
    submit("timeline-filters", ip="198.51.100.2")
    wait_for("the filtered rows", lambda: "198.51.100.2 " in table_text("attempt-rows")
             and "198.51.100.1 " not in table_text("attempt-rows") and "198.51.100.77" not in table_text("attempt-rows"))


def test_create_and_revoke_ticket():
    open_page("#/tickets", "Tickets")
    shot("tickets", docs=True)
    submit("ticket-create", app="demo-origin", video="console-made", uses="3", expire="+2 days",
           **{"pass": "console-pass"})
    wait_for("the new ticket's page", lambda: browser.find_element(By.TAG_NAME, "h1").text.startswith("Ticket console"))
    key = browser.find_element(By.TAG_NAME, "h1").text.split(" ", 1)[1]
    check(play(key, "198.51.100.10", password="console-pass", video="console-made") == (200, "Success"))
    # It is listed and found by the search.
    open_page("#/tickets", "Tickets")
    submit("ticket-search", q="console-made")
    wait_for("the search hit", lambda: key in table_text("ticket-rows"))
    browser.find_element(By.LINK_TEXT, key).click()
    wait_for("the ticket page", lambda: browser.find_elements(By.ID, "revoke-box"))
    browser.find_element(By.CSS_SELECTOR, "#revoke-box button").click()
    browser.find_element(By.XPATH, "//button[text()='Yes, revoke it']").click()
    wait_for("the revoked ticket", lambda: browser.find_elements(By.ID, "revoked"))
    check(play(key, "198.51.100.11", password="console-pass", video="console-made") == (403, "Token Revoked"))
    st, reply = harness.legacy(srv, "sevu.status", {"key": key})
    check(st == 200 and reply["ticket"]["active"] == "0", reply)  # legacy writes it as text


def test_end_live_session():
    key = harness.new_ticket(srv, uses=5)["key"]
    check(play(key, "198.51.100.20", session="viewer-1") == (200, "Success"))
    check(play(key, "198.51.100.20", session="viewer-1", action="recheck")[0] == 200)
    open_page("#/tickets/" + key, "Ticket " + key)
    wait_for("the live session", lambda: browser.find_elements(By.CSS_SELECTOR, "#session-rows button[data-session]"))
    wait_for("the ticket's attempts", lambda: "198.51.100.20" in table_text("ticket-attempt-rows"))
    # A limit left empty is named, not saved as 0 ("no limit").
    fill("ticket-limits", max_viewers="", when_full="end_oldest")
    browser.find_element(By.CSS_SELECTOR, "#ticket-limits button[type=submit]").click()
    wait_for("the empty limit named", lambda: "0 = no limit" in browser.find_element(By.CSS_SELECTOR, "#ticket-limits .error").text)
    check(browser.switch_to.active_element.get_attribute("name") == "max_viewers")
    fill("ticket-limits", max_viewers="2", when_full="end_oldest")
    browser.find_element(By.CSS_SELECTOR, "#ticket-limits button[type=submit]").click()
    wait_for("the saved limit", lambda: "saved" in browser.find_element(By.ID, "status").text)
    shot("ticket", docs=True)
    # Found afresh and clicked at once: the list is redrawn every 5 s.
    wait_for("a click on End", lambda: browser.find_element(By.CSS_SELECTOR, "#session-rows button[data-session]").click()
             or True)
    wait_for("no live session", lambda: "No live sessions" in table_text("session-rows"))
    # The End button went with the table: focus is on the table's heading, not lost.
    wait_for("focus on the sessions' heading", lambda: browser.switch_to.active_element.get_attribute("id") == "h-sessions")
    check(play(key, "198.51.100.20", session="viewer-1", action="recheck") == (403, "Session Ended"))
    st, _, data = harness.request("GET", srv.api_url + f"/v2/sevu_token/{key}/limits",
                                  auth=(DEMO["cdn"], DEMO["secret"]))
    check(st == 200 and json.loads(data) == {"max_viewers": 2, "when_full": "end_oldest"}, data)


def test_stream_users():
    open_page("#/stream-users", "Stream users")
    submit("streamuser-add", app="demo-origin", stream="console-cam", user="alice", segment_type="duration",
           segment_value="30", **{"pass": "alice-pass-1"})
    rows = wait_for("the new stream user", lambda: "console-cam" in table_text("streamuser-rows") and table_text("streamuser-rows"))
    check("alice-pass-1" not in browser.page_source, "a password came back to the page")
    check("duration 30" in rows, rows)
    browser.find_element(By.CSS_SELECTOR, "button[aria-label='Change demo-origin/console-cam alice']").click()
    submit("streamuser-edit", playlist_count="8", **{"pass": "alice-pass-2"})
    wait_for("the changed setting", lambda: "8 × 600 s" in table_text("streamuser-rows"))
    shot("stream-users", docs=True)
    browser.find_element(By.CSS_SELECTOR, "button[aria-label='Remove demo-origin/console-cam alice']").click()
    wait_for("the removed user", lambda: "console-cam" not in table_text("streamuser-rows"))
    wait_for("focus on the page's heading", lambda: browser.switch_to.active_element.tag_name == "h1")
    # User and password both left empty: a stream user that publishes without them.
    submit("streamuser-add", app="demo-origin", stream="open-cam")
    wait_for("the open stream user", lambda: "(no authentication)" in table_text("streamuser-rows"))
    check(harness.request("POST", srv.hook_url + "/hooks/check", json.dumps(
        {"action": "publish", "app": "demo-origin", "video": "open-cam", "ip": "10.0.0.9"}).encode(),
        dict(srv.test_headers(), **{"Content-Type": "application/json"}))[0] == 200)
    browser.find_element(By.CSS_SELECTOR, "button[aria-label='Remove demo-origin/open-cam ']").click()
    wait_for("the removed open user", lambda: "open-cam" not in table_text("streamuser-rows"))


def test_other_account_sees_only_its_rows():
    other = srv.create_account("other")
    demo_key = harness.new_ticket(srv, uses=5)["key"]
    check(play(demo_key, "198.51.100.30") == (200, "Success"))
    own_key = harness.new_ticket(srv, account=other, app="other-origin", uses=5)["key"]
    status, _, _ = call(srv, "/hooks/check", {"key": own_key, "pass": PASS, "ip": "198.51.100.31",
                                              "app": "other-origin", "video": "mystream"})
    check(status == 200)
    logout()
    login_account(other)
    wait_for("its own row", lambda: own_key in table_text("attempt-rows"))
    rows = table_text("attempt-rows")
    check(demo_key not in rows and "198.51.100.30" not in rows, rows)
    open_page("#/tickets", "Tickets")
    wait_for("its own ticket", lambda: own_key in table_text("ticket-rows"))
    check(demo_key not in table_text("ticket-rows"))
    open_page("#/tickets/" + demo_key, "Ticket not found")
    logout()


def test_operator_sees_every_account_and_unmatched_keys():
    unmatched = "no-such-ticket.00000000000000.00000000"
    check(play(unmatched, "198.51.100.40")[0] == 403)
    login_operator()
    rows = wait_for("every account's rows", lambda: "198.51.100.30" in table_text("attempt-rows")
                    and "198.51.100.31" in table_text("attempt-rows") and table_text("attempt-rows"))
    picker = Select(browser.find_element(By.ID, "account-picker"))
    check(any(o.get_attribute("value") == str(DEMO["cdn"]) for o in picker.options))
    picker.select_by_value("0")
    wait_for("the unmatched key", lambda: unmatched in table_text("attempt-rows"))
    check("198.51.100.30" not in table_text("attempt-rows"))
    shot("operator-unmatched", docs=True)
    picker = Select(browser.find_element(By.ID, "account-picker"))
    picker.select_by_value(str(DEMO["cdn"]))
    open_page("#/tickets", "Tickets")
    wait_for("the demo account's tickets", lambda: "console-made" in table_text("ticket-rows"))
    logout()


def test_keyboard_alone_logs_in_with_a_visible_focus():
    browser.get(srv.api_url + "/console/#/login")
    wait_for("the login form", lambda: browser.find_elements(By.ID, "login-account"))
    # Each page moves the focus to its heading, so the next Tab is the page's first field.
    wait_for("the focused heading", lambda: browser.switch_to.active_element.tag_name == "h1")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    focused = browser.switch_to.active_element
    check(focused.get_attribute("name") == "cdn_id", focused.get_attribute("outerHTML"))
    check(browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle") != "none")
    ActionChains(browser).send_keys(str(DEMO["cdn"]), Keys.TAB, DEMO["secret"], Keys.ENTER).perform()
    wait_for("the timeline", lambda: "Attempts" in browser.find_element(By.TAG_NAME, "h1").text)
    logout()


def test_phone_width_has_no_sideways_scroll():
    login_account(DEMO)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": PHONE, "height": 812, "deviceScaleFactor": 1, "mobile": True})
    try:
        for hash_, heading, name in (("#/timeline", "Attempts", "phone-timeline"), ("#/tickets", "Tickets", "phone-tickets"),
                                     ("#/stream-users", "Stream users", "phone-stream-users")):
            open_page(hash_, heading)
            time.sleep(0.5)  # the chart draws at the box's width once the rows are in
            widths = browser.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            check(widths[0] <= widths[1] == PHONE, f"{hash_} at {PHONE}px: scrollWidth {widths}")
            shot(name, docs=name == "phone-timeline")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    logout()
    shot("login", docs=True)


def test_pages_keep_their_security_headers():
    for path in ("/console/", "/console/console.js", "/console/console.css"):
        st, headers, _ = harness.request("GET", srv.api_url + path)
        check(st == 200, (path, st))
        check("script-src 'self'" in headers.get("content-security-policy", ""), (path, headers))
    # The page itself broke no rule of that policy (an inline style or script would be logged).
    logs = [e for e in browser.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    check(not logs, logs)


def test_a_spaced_pass_an_older_attempt_and_an_ended_login():
    """Last: it reads (and so empties) the browser's log, and moves the test clock."""
    browser.get_log("browser")  # what the earlier tests left is theirs
    login_account(DEMO)
    # A pass is kept exactly as typed: the viewer must send the same.
    open_page("#/tickets", "Tickets")
    submit("ticket-create", app="demo-origin", video="spaced", uses="3", expire="+2 days",
           **{"pass": "  spaced pass  "})
    wait_for("the new ticket's page", lambda: browser.find_element(By.TAG_NAME, "h1").text.startswith("Ticket spaced"))
    key = browser.find_element(By.TAG_NAME, "h1").text.split(" ", 1)[1]
    check(play(key, "198.51.100.30", password="  spaced pass  ", video="spaced") == (200, "Success"))
    try:
        # Two hours on, the ticket's page still lists its attempt: it was used.
        check(srv.advance_clock(7200)[0] == 200)
        open_page("#/tickets", "Tickets")  # away first: the same address would not load again
        open_page("#/tickets/" + key, "Ticket " + key)
        wait_for("the two-hour-old attempt", lambda: "198.51.100.30" in table_text("ticket-attempt-rows"))
        # The timeline's last hour is the server's (ticket time), not this browser's: a play
        # at the moved clock is listed, live, and the one two hours back is not.
        open_page("#/timeline", "Attempts")
        check(play(key, "198.51.100.31", password="  spaced pass  ", video="spaced") == (200, "Success"))
        wait_for("the play at the moved clock", lambda: "198.51.100.31" in table_text("attempt-rows"))
        check("198.51.100.30" not in table_text("attempt-rows"), table_text("attempt-rows"))
        # The login runs out (8 h) while the timeline polls: back to the login page, and
        # nothing logged as an uncaught error.
        open_page("#/timeline", "Attempts")
        check(srv.advance_clock(9 * 3600)[0] == 200)
        wait_for("the login page", lambda: browser.find_elements(By.ID, "login-account"))
        time.sleep(2.5)  # another poll's worth
        # (The 401 itself is logged by the browser as a failed load; that is the
        # server's answer, not an error of the page.)
        uncaught = [e for e in browser.get_log("browser")
                    if e.get("level") == "SEVERE" and e.get("source") != "network"]
        check(not uncaught, uncaught)
    finally:
        srv.set_clock(None)


if __name__ == "__main__":
    srv = harness.Server(["--console-admin-token", ADMIN_TOKEN])
    with srv:
        browser = start_browser()
        try:
            harness.main(globals())
        finally:
            stop_browser(browser)
