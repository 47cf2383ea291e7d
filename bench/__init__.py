"""Benchmarks: performance is measured, not guessed.

`make bench` runs every `bench/bench_<name>.py` against a throwaway PostgreSQL 15 cluster
(`scripts/pgtest.sh --run`); `python -m bench <name>` runs one. Each benchmark gets its own
database cloned from a migrated template, loads its data fast (COPY), and compares the ORM code
the application really runs with a hand-written raw-SQL baseline in the same run: the table shows
median and p95 in ms and the ratio ORM/raw, and a run fails when the two return different rows.

A new benchmark: copy `bench_scoping.py`, keep its shape (`run(bench)`, data through
`harness.copy_rows`, cases through `bench.compare`), and read `harness.py`'s docstring.
"""
