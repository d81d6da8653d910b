"""DuckDB over alpr-triage's exports: the types an analyst gets, and the counts by agency and by
verdict against the tool's own summary (the report's by_agency.csv). Run by tests/report.rs
(`exports_load_into_duckdb_with_their_types`, ignored unless asked; `.ci/run` asks).

usage: check.py EXPORT.jsonl EXPORT.csv BY_AGENCY.csv
"""

import csv
import json
import sys
from collections import Counter

import duckdb

jsonl, csv_path, by_agency = sys.argv[1:4]
con = duckdb.connect()
# Every row read for the types (sample_size=-1): the sample data holds several schemas, and a
# later one must not meet a struct DuckDB fixed on the first 20,480 rows.
con.execute(f"create view j as select * from read_json('{jsonl}', format='newline_delimited', sample_size=-1)")
con.execute(f"create view c as select * from read_csv('{csv_path}', sample_size=-1)")
# Read every row now (describe alone does not): DuckDB refuses, here, struct fields that differ
# only by case, in one record or across records.
records = con.execute("select count(*) from j").fetchone()[0]
if con.execute("select count(*) from c").fetchone()[0] != records:
    sys.exit("the JSONL and CSV exports hold different numbers of records")


def types(view):
    return {name: kind for name, kind, *_ in con.execute(f"describe {view}").fetchall()}


def expect(view, want):
    got = types(view)
    for name, kind in want.items():
        if got.get(name) != kind:
            sys.exit(f"{view}.{name}: DuckDB reads {got.get(name)!r}, expected {kind!r}")


expect("j", {
    "search_time": "TIMESTAMP WITH TIME ZONE",
    "time_frame_start": "TIMESTAMP WITH TIME ZONE",
    "networks_searched": "BIGINT",
    "devices_searched": "BIGINT",
    "flagged": "BOOLEAN",
    "out_of_state": "BOOLEAN",
    "verdict": "VARCHAR",
})
if not types("j")["flags"].startswith("STRUCT(") or not types("j")["columns"].startswith("STRUCT("):
    sys.exit(f"flags and columns are not structs: {types('j')['flags']}, {types('j')['columns']}")
expect("c", {
    "search_time_utc": "TIMESTAMP WITH TIME ZONE",
    "flagged": "BOOLEAN",
    "out_of_state": "BOOLEAN",
    "verdict": "VARCHAR",
})
names = [n.lower() for n in types("c")]
if len(names) != len(set(names)):
    sys.exit(f"CSV header names that differ only by case: {sorted(n for n in names if names.count(n) > 1)}")

# The tool's own summary.
summary = {}
with open(by_agency, newline="") as f:
    for row in csv.DictReader(f):
        summary[row["agency"]] = tuple(int(row[k]) for k in
                                       ("records", "flagged", "immigration", "not_immigration", "unsure"))

COUNTS = """select {agency}, count(*), count(*) filter (where flagged),
    count(*) filter (where verdict = 'immigration'), count(*) filter (where verdict = 'not_immigration'),
    count(*) filter (where verdict = 'unsure') from {view} group by 1"""
for view, agency in (("j", "agency"), ("c", "agency_normalized")):
    got = {a: tuple(n) for a, *n in con.execute(COUNTS.format(view=view, agency=agency)).fetchall()}
    if got != summary:
        diff = {a: (got.get(a), summary.get(a)) for a in set(got) | set(summary) if got.get(a) != summary.get(a)}
        sys.exit(f"{view}: counts by agency differ from by_agency.csv (DuckDB, tool): {diff}")
    verdicts = dict(con.execute(f"select coalesce(verdict, ''), count(*) from {view} group by 1").fetchall())
    want = Counter()
    for _, (_, _, imm, not_imm, unsure) in summary.items():
        want["immigration"] += imm
        want["not_immigration"] += not_imm
        want["unsure"] += unsure
    for v in ("immigration", "not_immigration", "unsure"):
        if verdicts.get(v, 0) != want[v]:
            sys.exit(f"{view}: {verdicts.get(v, 0)} records with verdict {v}, the tool's summary says {want[v]}")

# The nested flags are readable: rules counted through DuckDB's unnest, against Python's json.
rules = dict(con.execute("select f.rule, count(*) from (select unnest(flags) as f from j) group by 1").fetchall())
want = Counter()
with open(jsonl) as f:
    for line in f:
        for flag in json.loads(line)["flags"]:
            want[flag["rule"]] += 1
if rules != dict(want) or not rules:
    sys.exit(f"flags read through unnest: {rules}, by Python's json: {dict(want)}")
print(f"duckdb {duckdb.__version__}: {records} records, {len(summary)} agencies, {sum(rules.values())} flags: ok")
