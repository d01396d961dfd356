#!/usr/bin/env python3
"""Splits a folder of .eml files by the year in each message's Date header, so that indicators
and weights are tuned on older mail and measured on newer mail they were never fitted on.

    bench/mail-split-by-year.py SOURCE OUT [--validation-from YEAR]

Copies (never moves) every message into OUT/train (Date before YEAR, or no readable Date) or
OUT/validation (Date in YEAR or later). Default YEAR: 2024, the split issue 14 asks for on
phishing_pot-2022-2024. OUT must be outside the repository: the corpora are never committed.
"""
import argparse
import email.utils
import os
import re
import shutil
import sys

DATE = re.compile(rb"^Date:[ \t]*(.+(?:\r?\n[ \t].+)*)", re.M | re.I)


def year_of(path):
    with open(path, "rb") as f:
        head = f.read(65536)
    head = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    found = DATE.search(head)
    if not found:
        return None
    try:
        return email.utils.parsedate_to_datetime(found.group(1).decode("latin-1").strip()).year
    except (TypeError, ValueError, IndexError):
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--validation-from", type=int, default=2024)
    args = parser.parse_args()
    counts = {"train": 0, "validation": 0}
    for part in counts:
        os.makedirs(os.path.join(args.out, part), exist_ok=True)
    for name in sorted(os.listdir(args.source)):
        path = os.path.join(args.source, name)
        if not name.endswith(".eml") or not os.path.isfile(path):
            continue
        year = year_of(path)
        part = "validation" if year is not None and year >= args.validation_from else "train"
        shutil.copyfile(path, os.path.join(args.out, part, name))
        counts[part] += 1
    print(f"train {counts['train']}, validation {counts['validation']} (from {args.validation_from})", file=sys.stderr)


if __name__ == "__main__":
    main()
