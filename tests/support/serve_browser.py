#!/usr/bin/env python3
"""Drives `legalcircle serve`'s page in headless Chromium through the DevTools protocol, as a
planner would: load it, switch to "add", click the map at the first village not covered, and wait
for the page to show the new figures.

    serve_browser.py URL OUT.json [--screenshots DIR] [--chromium /usr/bin/chromium]

OUT.json: the headline before and after (as the page shows it and its data attributes), the
proposal the server made, seconds until the page was interactive, every request the page made,
console errors and uncaught exceptions. Exit 0 when the run finished (the caller judges it)."""
import argparse, base64, json, os, re, shutil, subprocess, sys, tempfile, time, urllib.request

import websocket  # Debian: python3-websocket


class Page:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait(self, expression, timeout=30.0):
        end = time.time() + timeout
        while time.time() < end:
            v = self.js(expression)
            if v:
                return v
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for {expression}")

    def click(self, x, y):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


HEADLINE = """(() => { const e = document.getElementById('headline-rate');
  return { text: e.textContent, covered_population: Number(e.dataset.coveredPopulation),
           covered_units: Number(e.dataset.coveredUnits), version: Number(document.body.dataset.version),
           villages: document.getElementById('headline-villages').textContent,
           change: document.getElementById('headline-change').textContent }; })()"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("out")
    ap.add_argument("--screenshots")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    profile = tempfile.mkdtemp(prefix="legalcircle-chromium-")
    proc = subprocess.Popen([a.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--disable-extensions", "--window-size=1400,900", "--remote-debugging-port=0",
                             f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        end = time.time() + 30
        while time.time() < end and port is None:
            line = proc.stderr.readline()
            m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line or "")
            if m:
                port = int(m.group(1))
        if port is None:
            raise RuntimeError("Chromium did not open its DevTools port")
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
        for domain in ("Page", "Runtime", "Network", "Log"):
            page.call(domain + ".enable")
        t0 = time.time()
        page.call("Page.navigate", url=a.url)
        page.wait("document.body && document.body.dataset.ready === '1'", 60)
        interactive_s = time.time() - t0
        if a.screenshots:
            os.makedirs(a.screenshots, exist_ok=True)
            page.screenshot(os.path.join(a.screenshots, "serve-before.png"))
        before = page.js(HEADLINE)
        # The first village the scenario leaves uncovered, as a point on the screen.
        target = page.js("""(() => { const s = window.legalcircle.state, v = window.legalcircle.villages;
          const k = s.units.overall.findIndex((x) => x === 0);
          const p = window.legalcircle.map.latLngToContainerPoint([v[k].lat, v[k].lon]);
          const r = document.getElementById('map').getBoundingClientRect();
          return { k: k, name: v[k].name, lon: v[k].lon, lat: v[k].lat, x: r.left + p.x, y: r.top + p.y }; })()""")
        button = page.js("""(() => { const r = document.getElementById('tool-add').getBoundingClientRect();
          return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()""")
        page.click(button["x"], button["y"])
        page.wait("window.legalcircle.tool === 'add'", 5)
        page.click(target["x"], target["y"])
        page.wait(f"Number(document.body.dataset.version) > {before['version']}", 30)
        time.sleep(0.5)  # the circle redraw after an edit
        after = page.js(HEADLINE)
        proposal = page.js("window.legalcircle.state.proposals[0] || null")
        if a.screenshots:
            page.screenshot(os.path.join(a.screenshots, "serve-after.png"))
        # Drain the events that arrived while nothing was asked.
        page.js("1")
        requests, console_errors, exceptions = [], [], []
        for e in page.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Network.requestWillBeSent":
                requests.append(p["request"]["url"])
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                console_errors.append(" ".join(str(x.get("value", x.get("description", ""))) for x in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                exceptions.append(p["exceptionDetails"].get("text", "") + " " +
                                  str(p["exceptionDetails"].get("exception", {}).get("description", "")))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                console_errors.append(p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
        json.dump({"before": before, "after": after, "target": target, "proposal": proposal,
                   "interactive_s": interactive_s, "requests": requests, "console_errors": console_errors,
                   "exceptions": exceptions}, open(a.out, "w"), ensure_ascii=False, indent=1)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
