"""`make bench`: every benchmark, one after the other; each prints a table and writes JSON to bench/results/."""

from __future__ import annotations

import sys

from bench import badges, checkin_api, pages, scan_latency


def main(argv: list[str]) -> None:
    badges.main(argv)
    print()
    pages.main([])
    print()
    checkin_api.main([])
    print()
    scan_latency.main([])


if __name__ == "__main__":
    main(sys.argv[1:])
