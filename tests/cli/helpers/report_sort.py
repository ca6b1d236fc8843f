#!/usr/bin/python3
"""report_sort.py MODE PAGE JSON [ARGS]: drive report --html's page in
headless Chromium through WebDriver (Debian's chromium-driver and
python3-selenium) and print TAP lines.

  clicks PAGE JSON      click headings (mouse and keyboard) and check each
                        table's row order against the order computed here
                        from the same report's --json; no console errors
  nojs PAGE JSON        the page with JavaScript off: every table readable,
                        its headings plain text, header and body aligned
  big PAGE JSON SECTION KEY   sort a large table by KEY both ways, check the
                        order and print the time each click took
  shot PAGE PNG         a screenshot, 1200 pixels wide
"""
import datetime
import ipaddress
import json
import re
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains

failed = 0


def check(desc, cond, got=None):
    global failed
    print(("ok - " if cond else "not ok - ") + desc)
    if not cond:
        failed += 1
        if got is not None:
            print("#   got: %s" % (got,))


def browser(js=True, width=1200, height=1400):
    o = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", "--disable-component-update",
              "--window-size=%d,%d" % (width, height)):
        o.add_argument(a)
    if not js:
        o.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)


# What a cell shows, from the JSON value (the page's text for the same cell).
def shown(v, key):
    if v is None:
        return ""
    if isinstance(v, float) or key == "pct_time":
        # a share in use but under 0.05 % is not shown as 0.0
        return "<0.1" if 0 < v < 0.05 else "%.1f" % v
    if is_time(v):
        return v[:10] + " " + v[11:19]
    return str(v)


# A JSON time: ISO 8601 with its zone's offset, or Z.
def is_time(v):
    return isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", v) is not None


# The sort key a person expects for a JSON value: numbers as numbers (none
# lowest), times in time order, addresses by value (IPv4 first), other text
# without case.
def sort_key(v, numeric):
    if numeric:
        if v is None:
            return float("-inf")
        if is_time(v):
            return datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
        return float(v)
    if v is None:
        return ""
    try:
        a = ipaddress.ip_address(v)
        return "%d:%s" % (a.version, a.packed.hex())
    except ValueError:
        return v.lower()


def expected(rows, key, numeric, desc):
    keys = [sort_key(r[key], numeric) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: keys[i], reverse=desc)
    return [rows[i] for i in order]


def page_rows(d, sec):
    return d.execute_script(
        "return Array.from(document.querySelectorAll('#t-%s tbody tr'))"
        ".map(function(r){return Array.from(r.cells).map(function(c){return c.textContent;});});" % sec)


def page_keys(d, sec):
    return d.execute_script(
        "return Array.from(document.querySelectorAll('#t-%s thead th'))"
        ".map(function(h){return h.getAttribute('data-key');});" % sec)


def as_shown(rows, keys):
    return [[shown(r[k], k) for k in keys] for r in rows]


def heading(d, sec, key):
    return d.find_element(By.CSS_SELECTOR, "#t-%s th[data-key='%s']" % (sec, key))


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "row %d: page %r, expected %r" % (i, x, y)
    return "page has %d rows, expected %d" % (len(a), len(b))


def check_order(d, doc, sec, key, desc, how):
    rows = doc["sections"][sec]
    keys = page_keys(d, sec)
    th = heading(d, sec, key)
    numeric = th.get_attribute("data-type") == "n"
    want = as_shown(expected(rows, key, numeric, desc), keys)
    got = page_rows(d, sec)
    check("%s: %s by %s %s: all %d rows in the order the JSON gives" %
          (how, sec, key, "descending" if desc else "ascending", len(rows)),
          got == want, None if got == want else first_diff(got, want))
    aria = th.get_attribute("aria-sort")
    others = d.execute_script(
        "return document.querySelectorAll('#t-%s th[aria-sort]').length" % sec)
    check("%s: %s by %s: aria-sort=%s on that heading only" %
          (how, sec, key, "descending" if desc else "ascending"),
          aria == ("descending" if desc else "ascending") and others == 1, (aria, others))


def console_errors(d):
    return [e for e in d.get_log("browser") if e.get("level") in ("SEVERE", "WARNING")]


def mode_clicks(page, doc):
    d = browser()
    try:
        d.get("file://" + page)
        for sec in ("ports", "processes", "remotes", "users", "hours", "days", "interest"):
            got = page_rows(d, sec)
            want = as_shown(doc["sections"][sec], page_keys(d, sec))
            check("before any click: %s shows the JSON's %d rows in its order" % (sec, len(want)),
                  got == want, None if got == want else first_diff(got, want))
        # numeric, time, percentage, address, text columns; each twice
        for sec, key in (("ports", "port"), ("ports", "connections"), ("ports", "first_seen"),
                         ("ports", "pct_time"), ("remotes", "address"),
                         ("remotes", "connections"), ("processes", "program"),
                         ("users", "user"), ("hours", "sockets"), ("interest", "what")):
            btn = heading(d, sec, key).find_element(By.TAG_NAME, "button")
            btn.click()
            check_order(d, doc, sec, key, False, "click")
            btn.click()
            check_order(d, doc, sec, key, True, "second click")
        # the other table was not touched by a click on this one
        got = page_rows(d, "users")
        check("a click sorts its own table only (users still by user, descending)",
              got == as_shown(expected(doc["sections"]["users"], "user", False, True),
                              page_keys(d, "users")))

        # keyboard: Tab reaches a heading, Enter sorts, Enter again reverses
        d.get("file://" + page)
        target = heading(d, "ports", "pct_time").find_element(By.TAG_NAME, "button")
        d.find_element(By.TAG_NAME, "body").click()
        reached = False
        for _ in range(60):
            ActionChains(d).send_keys(Keys.TAB).perform()
            if d.switch_to.active_element == target:
                reached = True
                break
        check("keyboard: Tab reaches the ports table's %TIME heading", reached)
        if reached:
            ActionChains(d).send_keys(Keys.ENTER).perform()
            check_order(d, doc, "ports", "pct_time", False, "Enter")
            ActionChains(d).send_keys(Keys.ENTER).perform()
            check_order(d, doc, "ports", "pct_time", True, "Enter again")
            ActionChains(d).send_keys(Keys.SPACE).perform()
            check_order(d, doc, "ports", "pct_time", False, "Space")
        errs = console_errors(d)
        check("the browser log has no error or warning", errs == [], errs)
    finally:
        d.quit()


def mode_nojs(page, doc):
    d = browser(js=False)
    try:
        d.get("file://" + page)
        ran = d.execute_script("return document.querySelectorAll('th button').length")
        check("JavaScript off: no script ran (no heading became a button)", ran == 0, ran)
        for sec, rows in doc["sections"].items():
            keys = page_keys(d, sec) if rows else []
            got = page_rows(d, sec)
            want = as_shown(rows, keys)
            check("JavaScript off: %s readable, %d rows as in the JSON" % (sec, len(rows)),
                  got == want, None if got == want else first_diff(got, want))
            if not rows:
                continue
            # header and body line up: each heading starts where its column's
            # cells start, and the table is not wider than its rows
            bad = d.execute_script("""
                var t = document.getElementById('t-%s'), hs = t.tHead.rows[0].cells, bad = [];
                var r = t.tBodies[0].rows[0].cells;
                for (var i = 0; i < hs.length; i++) {
                    var a = hs[i].getBoundingClientRect(), b = r[i].getBoundingClientRect();
                    if (Math.abs(a.left - b.left) > 0.5 || Math.abs(a.width - b.width) > 0.5)
                        bad.push(hs[i].textContent);
                    if (a.height > 60) bad.push(hs[i].textContent + ' wraps');
                }
                return bad;""" % sec)
            check("JavaScript off: %s's headings line up with their columns" % sec, bad == [], bad)
        width = d.execute_script("return document.documentElement.scrollWidth")
        check("JavaScript off: the page is no wider than the window (%d px)" % width,
              width <= 1200, width)
        svgs = d.execute_script("return Array.from(document.querySelectorAll('svg.chart'))"
                                ".map(function(s){return s.getBoundingClientRect().width;})")
        check("JavaScript off: both charts drawn", len(svgs) == 2 and all(w > 300 for w in svgs), svgs)
    finally:
        d.quit()


def mode_big(page, doc, sec, key):
    rows = doc["sections"][sec]
    d = browser()
    try:
        t0 = time.monotonic()
        d.get("file://" + page)
        print("# page of %d %s rows loaded in %.2f s" % (len(rows), sec, time.monotonic() - t0))
        for desc in (False, True):
            # the click's own time (the sort and moving the rows), then the
            # time to the next frame (style and layout of the new order)
            ms = d.execute_async_script("""
                var done = arguments[arguments.length - 1];
                var b = document.querySelector("#t-%s th[data-key='%s'] button");
                var t0 = performance.now(); b.click(); var t1 = performance.now();
                requestAnimationFrame(function(){ setTimeout(function(){
                    done([t1 - t0, performance.now() - t0]); }, 0); });""" % (sec, key))
            print("# sort %d rows by %s %s: click %.0f ms, to the next frame %.0f ms" %
                  (len(rows), key, "descending" if desc else "ascending", ms[0], ms[1]))
            check_order(d, doc, sec, key, desc, "%d rows" % len(rows))
            check("%d rows sorted within 10 s (took %.0f ms)" % (len(rows), ms[1]), ms[1] < 10000)
        errs = console_errors(d)
        check("the browser log has no error or warning", errs == [], errs)
    finally:
        d.quit()


def mode_shot(page, png):
    d = browser(width=1200, height=1500)
    try:
        d.get("file://" + page)
        d.save_screenshot(png)
    finally:
        d.quit()


if __name__ == "__main__":
    CHROMEDRIVER = __import__("shutil").which("chromedriver") or "/usr/bin/chromedriver"
    mode = sys.argv[1]
    try:
        if mode == "shot":
            mode_shot(sys.argv[2], sys.argv[3])
            sys.exit(0)
        doc = json.load(open(sys.argv[3]))
        if mode == "clicks":
            mode_clicks(sys.argv[2], doc)
        elif mode == "nojs":
            mode_nojs(sys.argv[2], doc)
        elif mode == "big":
            mode_big(sys.argv[2], doc, sys.argv[4], sys.argv[5])
    except WebDriverException as e:
        check("WebDriver ran (%s)" % str(e).splitlines()[0], False)
    sys.exit(1 if failed else 0)
