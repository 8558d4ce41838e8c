#!/usr/bin/env python3
"""The HTML report in a real headless Chromium (Debian `chromium`).

Builds the fixture store with `vigil replay --db` (tests/reports/fixture), writes the HTML
report bundle, then:
  1. renders it with --dump-dom while every host name resolves to nothing, with Chromium's
     log on stderr: no console error, no refused or failed load (the page needs no network);
  2. checks that the rendered DOM shows the key figures (report id, alert count, coverage,
     the failing framework status, the integrity verdict);
  3. takes a PNG screenshot and prints the page to PDF (--print-to-pdf), and checks both are
     real files of their kind.
Exit 0 pass, 1 fail, 77 skipped (no chromium).
--screenshot-to PATH also copies the screenshot there (for docs/img/report.png).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=240, **kw)


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--screenshot-to")
    args = ap.parse_args()

    chromium = chromium_binary()
    if chromium is None:
        print("SKIP: no chromium (Debian package chromium, in TEST_PKGS)")
        return 77

    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    work = tempfile.mkdtemp(prefix="vigil-report-chromium-")
    try:
        state = os.path.join(work, "state")
        os.makedirs(state)
        config = os.path.join(work, "vigil.yaml")
        with open(config, "w") as f:
            f.write("host_name: ledger-01\nstate_dir: %s\n" % state)
        db = os.path.join(state, "vigil.db")
        fixture = os.path.join(args.repo, "tests/reports/fixture")
        r = run([args.vigil, "replay", "-c", config, "-r", fixture + "/rules.yaml", "--jsonl",
                 fixture + "/events.jsonl", "--db", db])
        if r.returncode != 0:
            print("replay failed:", r.stderr)
            return 1
        for step in (["ack", "1", "--by", "dora"],
                     ["resolve", "2", "--by", "dora", "--resolution", "accepted_risk", "--note",
                      "penetration test by ACME, ticket SEC-12"]):
            r = run([args.vigil, "alerts", "-c", config, "--db", db] + step)
            if r.returncode != 0:
                print("alerts failed:", r.stderr)
                return 1
        bundle = os.path.join(work, "bundle")
        r = run([args.vigil, "report", "-c", config, "--db", db, "--from", "2026-03-01", "--to", "2026-03-08",
                 "--format", "html", "-o", bundle])
        if r.returncode != 0:
            print("report failed:", r.stderr)
            return 1
        r = run([args.vigil, "report", "-c", config, "--db", db, "--from", "2026-03-01", "--to", "2026-03-08",
                 "--format", "json", "-o", "-"])
        facts = json.loads(r.stdout)
        html = os.path.join(bundle, "report.html")
        url = "file://" + html

        profile = os.path.join(work, "profile")
        common = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-extensions", "--disable-sync", "--disable-background-networking",
                  "--disable-component-update", "--user-data-dir=" + profile,
                  "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0"]

        failures = []
        dom = run(common + ["--dump-dom", url])
        if dom.returncode != 0 or "<html" not in dom.stdout:
            print("chromium --dump-dom failed:", dom.returncode, dom.stderr[-2000:])
            return 1
        log = dom.stderr
        for pattern in (r"CONSOLE\(\d+\)", r"Uncaught", r"Refused to (load|apply|connect)", r"net::ERR_",
                        r"Failed to load resource"):
            for line in log.splitlines():
                if re.search(pattern, line):
                    failures.append("chromium log: " + line.strip())
        text = re.sub(r"<[^>]+>", " ", dom.stdout)
        text = re.sub(r"\s+", " ", text)
        total = sum(facts["summary"]["alerts"].values())
        pct = 100 * facts["coverage"]["covered_seconds"] / facts["coverage"]["period_seconds"]
        expected = [
            facts["cover"]["report_id"],
            "Alerts %d" % total,
            "Watched %.1f%%" % pct,
            "Audit log verified",
            "Executive summary",
            "Coverage and gaps",
            "Periods Vigil was not watching",
            "How to verify",
        ]
        for e in expected:
            if e not in text:
                failures.append("rendered page lacks %r" % e)
        if 'class="badge r-fail"' not in dom.stdout:
            failures.append("no failing control badge in the rendered page")
        # The DOM after rendering may not hold anything that loads from elsewhere.
        for m in re.finditer(r'\b(src|href|action|srcset)\s*=\s*"([^"]*)"', dom.stdout):
            if not m.group(2).startswith("#"):
                failures.append("external reference in the rendered page: %s" % m.group(0))

        png = os.path.join(args.out, "report.png")
        shot = run(common + ["--window-size=1280,2000", "--hide-scrollbars", "--screenshot=" + png, url])
        if shot.returncode != 0 or not os.path.exists(png):
            failures.append("screenshot failed: %s" % shot.stderr[-1000:])
        else:
            with open(png, "rb") as f:
                head = f.read(8)
            if head != b"\x89PNG\r\n\x1a\n" or os.path.getsize(png) < 10000:
                failures.append("screenshot is not a real PNG (%d bytes)" % os.path.getsize(png))
            elif args.screenshot_to:
                shutil.copyfile(png, args.screenshot_to)
        pdf = os.path.join(args.out, "report.pdf")
        printed = run(common + ["--no-pdf-header-footer", "--print-to-pdf=" + pdf, url])
        if printed.returncode != 0 or not os.path.exists(pdf):
            failures.append("print to PDF failed: %s" % printed.stderr[-1000:])
        else:
            with open(pdf, "rb") as f:
                data = f.read()
            pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
            if not data.startswith(b"%PDF-") or pages < 2:
                failures.append("PDF is not a multi-page PDF (%d pages)" % pages)
            else:
                print("PDF: %d pages, %d bytes" % (pages, len(data)))

        if failures:
            for f in failures:
                print("FAIL:", f)
            return 1
        print("OK: %s rendered in %s with no console error or external request; %s, %s" %
              (facts["cover"]["report_id"], os.path.basename(chromium), png, pdf))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
