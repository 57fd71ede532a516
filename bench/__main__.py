"""`make bench`: every benchmark, one after the other; each prints a table and writes JSON to bench/results/."""

from __future__ import annotations

import sys

from bench import badges, pages


def main(argv: list[str]) -> None:
    badges.main(argv)
    print()
    pages.main([])


if __name__ == "__main__":
    main(sys.argv[1:])
