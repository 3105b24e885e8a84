"""Benchmark: the workbench in a real browser, from ``nqpf serve`` to the results of two runs.

Starts ``nqpf serve`` in a subprocess on a free loopback port and times until it answers HTTP
(target < 10 s). Then Playwright drives Debian's chromium (``/usr/bin/chromium``; no browser is
downloaded): it uploads the example table (``nqpf example``: 31 provinces, SYNTHETIC values) with
its index system, ticks only 综合指数 index + 区域差异 disparity + 空间格局 spatial, and runs twice
with ``--runs`` Monte Carlo runs, timing each run from the click until the map of the scores is
shown (target: the second run < 5 s; the first one also reads the map boundaries and data, which
the server process keeps for later runs).

Run: ``.venv/bin/python bench/workbench.py [--runs 100] [--profile]``. ``--profile`` runs the
second study once more in this process under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
STUDIES = ("index", "disparity", "spatial")
TARGET_READY = 10.0
TARGET_RUN = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, log: Path) -> tuple[subprocess.Popen[bytes], float]:
    """``nqpf serve`` in a subprocess and the seconds until it answered HTTP."""
    command = [sys.executable, "-c", "from nqpf.cli import main; main()", "serve"]
    command += ["--port", str(port)]
    start = time.perf_counter()
    with log.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=sink)
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            return process, time.perf_counter() - start
        except OSError:
            if process.poll() is not None or time.perf_counter() - start > 120:
                raise SystemExit(f"nqpf serve did not answer: {log.read_text()}") from None
            time.sleep(0.05)


def run_once(page: Any) -> tuple[float, float]:
    """Click Run; seconds until the new map is shown, and until the files are written.

    The previous map is gone while the studies run; it comes back with the results, while
    the report's files are still being written (then the status says 完成).
    """
    from playwright.sync_api import expect

    start = time.perf_counter()
    page.locator("#run").click()
    image = page.locator("#score_map img")
    expect(image).to_have_count(0)
    expect(image).to_be_visible(timeout=600_000)
    shown = time.perf_counter() - start
    expect(page.locator("#status")).to_contain_text("完成", timeout=600_000)
    return shown, time.perf_counter() - start


def drive(url: str, runs: int, folder: Path) -> list[tuple[float, float]]:
    from playwright.sync_api import sync_playwright

    from nqpf.data import write_example

    example = {p.name: p for p in write_example(folder)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        page.goto(url)
        page.set_input_files("#table_file", example["example.xlsx"])
        page.locator("#region_col").select_option("地区")
        page.locator("#year_col").select_option("年份")
        page.set_input_files("#system_file", example["example_system.yaml"])
        page.wait_for_selector("#system_form table")
        for box in page.locator("input[name=studies]").all():
            if box.get_attribute("value") not in STUDIES:
                box.uncheck()
        page.locator("#runs").fill(str(runs))
        times = [run_once(page) for _ in range(2)]
        browser.close()
    return times


def profile(runs: int, folder: Path) -> None:
    """The second run's work in this process (after a first, warming run), under cProfile."""
    from nqpf.app.uploads import read_system_upload, read_upload
    from nqpf.data import write_example
    from nqpf.report.build import build_report

    example = {p.name: p for p in write_example(folder / "profile")}
    table = read_upload(example["example.xlsx"].read_bytes(), "example.xlsx")
    system = read_system_upload(example["example_system.yaml"].read_bytes(), "system.yaml")
    panel = table.panel(region="地区", year="年份")

    def once(out: str) -> None:
        build_report(folder / out, panel=panel, system=system, runs=runs, studies=STUDIES)

    once("warm")
    profiler = cProfile.Profile()
    profiler.runcall(once, "profiled")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nqpf-bench-workbench-") as tmp:
        folder = Path(tmp)
        port = free_port()
        process, ready = start_server(port, folder / "serve.log")
        try:
            first, second = drive(f"http://127.0.0.1:{port}/", args.runs, folder)
        finally:
            process.terminate()
            process.wait(timeout=10)
        verdict = {True: "met", False: "NOT met"}
        print(f"workbench: example table (31 provinces, SYNTHETIC), studies {', '.join(STUDIES)}")
        print(
            f"  ready to answer   {ready:6.2f} s   (target < {TARGET_READY:g} s: "
            f"{verdict[ready < TARGET_READY]})"
        )
        for name, (shown, written) in (("first", first), ("second", second)):
            target = (
                f"   (target < {TARGET_RUN:g} s: {verdict[shown < TARGET_RUN]})"
                if name == "second"
                else ""
            )
            print(
                f"  {name:6s} run: results shown {shown:6.2f} s{target}; files written "
                f"{written:6.2f} s ({args.runs} Monte Carlo runs)"
            )
        if args.profile:
            profile(args.runs, folder)


if __name__ == "__main__":
    main()
