#!/usr/bin/python3
"""Differential test of our TOML reader against Python's tomllib.

    difftest.py DUMP-BINARY CASES-DIR

For every *.toml file under CASES-DIR (recursively, in sorted order) this runs tomllib and
DUMP-BINARY (tests/toml/toml-dump.c: our parser, printing the toml-test "tagged" JSON). Both
must accept the document with equal trees, or both must reject it. Prints TAP.

Where our reader deliberately differs from tomllib, the expectation follows the TOML 1.0
specification or our API instead (see EXPECTATION NOTES below); everything else is tomllib's
verdict. A case in a directory named "valid" or "invalid" must also get that verdict, so that
a case that no longer tests what its name says is noticed.

Comparison: strings and integers exactly, floats by value (nan equals nan, and the sign of
zero must agree), datetimes by their normalised form (both read back as Python objects and
compared in ISO form, fraction cut to microseconds as tomllib does), tables as unordered.

Rejections by our reader must print "FILE: line L, column C: message" and exit 1; any other
exit (a crash, a sanitizer report) fails the case.
"""
import json
import math
import os
import re
import subprocess
import sys
import tomllib

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
BOM = b"\xef\xbb\xbf"
ERROR_RE = re.compile(r": line \d+, column \d+: \S")
TIMEOUT = 20

# EXPECTATION NOTES: where we knowingly differ from tomllib.
#  1. A byte order mark at the very start is accepted and ignored (toml-test and most
#     readers accept it; tomllib reads it as a stray character). It is stripped before the
#     document is given to tomllib. A BOM anywhere else is still an error for both.
#  2. Integers must fit in 64 bits (TOML 1.0: "If an integer cannot be represented
#     losslessly, an error must be thrown"); tomllib has arbitrary precision ints.
#  3. Keys may not contain U+0000: TomlEntry keys are NUL-terminated strings.


class Reject(Exception):
    pass


def tag(v):
    """tomllib's result in the toml-test tagged form (with Python objects kept for datetimes)."""
    import datetime as dt

    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if "\0" in k:
                raise Reject("key contains U+0000 (note 3)")
            out[k] = tag(x)
        return out
    if isinstance(v, list):
        return [tag(x) for x in v]
    if isinstance(v, bool):
        return {"type": "bool", "value": "true" if v else "false"}
    if isinstance(v, int):
        if not INT64_MIN <= v <= INT64_MAX:
            raise Reject("integer out of 64-bit range (note 2)")
        return {"type": "integer", "value": str(v)}
    if isinstance(v, float):
        return {"type": "float", "value": repr(v)}
    if isinstance(v, str):
        return {"type": "string", "value": v}
    if isinstance(v, dt.datetime):
        return {"type": "datetime" if v.tzinfo else "datetime-local", "value": v.isoformat()}
    if isinstance(v, dt.date):
        return {"type": "date-local", "value": v.isoformat()}
    if isinstance(v, dt.time):
        return {"type": "time-local", "value": v.isoformat()}
    raise TypeError(f"unexpected {type(v)}")


def expected(data):
    """("accept", tagged-tree) or ("reject", why)."""
    if data.startswith(BOM):
        data = data[len(BOM):]  # note 1
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return "reject", f"not UTF-8: {e}"
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return "reject", f"tomllib: {e}"
    except RecursionError:
        return "reject", "tomllib: too deep"
    try:
        return "accept", tag(doc)
    except Reject as e:
        return "reject", str(e)


def norm_datetime(kind, text):
    """Reads one datetime text back (through tomllib) into its ISO form."""
    v = tomllib.loads("v = " + text)["v"]
    t = tag(v)
    if t["type"] != kind:
        raise ValueError(f"{text!r} reads back as {t['type']}, not {kind}")
    return t["value"]


def float_value(s):
    return float(s)  # accepts "nan", "inf", "-inf"


def is_leaf(v):
    """A tagged value, as opposed to a table (whose "type" entry would itself be a dict)."""
    return isinstance(v, dict) and set(v) == {"type", "value"} and isinstance(v["type"], str)


def compare(exp, got, path="$"):
    """Returns None if equal, else a description of the first difference."""
    if is_leaf(exp):
        if not is_leaf(got):
            return f"{path}: expected a {exp['type']}, got {json.dumps(got)[:80]}"
        if exp["type"] != got["type"]:
            return f"{path}: expected type {exp['type']}, got {got['type']}"
        kind, ev, gv = exp["type"], exp["value"], got["value"]
        if kind == "float":
            a, b = float_value(ev), float_value(gv)
            if math.isnan(a) and math.isnan(b):
                return None
            if a != b or math.copysign(1, a) != math.copysign(1, b):
                return f"{path}: expected float {ev}, got {gv}"
            return None
        if kind in ("datetime", "datetime-local", "date-local", "time-local"):
            try:
                gv = norm_datetime(kind, gv)
            except (tomllib.TOMLDecodeError, ValueError) as e:
                return f"{path}: our {kind} {got['value']!r} does not read back: {e}"
        if ev != gv:
            return f"{path}: expected {kind} {ev!r}, got {gv!r}"
        return None
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            return f"{path}: expected a table, got {json.dumps(got)[:80]}"
        if set(exp) != set(got):
            return f"{path}: keys differ: expected {sorted(exp)}, got {sorted(got)}"
        for k in exp:
            d = compare(exp[k], got[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(exp, list):
        if not isinstance(got, list):
            return f"{path}: expected an array, got {json.dumps(got)[:80]}"
        if len(exp) != len(got):
            return f"{path}: expected {len(exp)} elements, got {len(got)}"
        for i, (a, b) in enumerate(zip(exp, got)):
            d = compare(a, b, f"{path}[{i}]")
            if d:
                return d
        return None
    return f"{path}: unexpected {exp!r}"


def run_case(dump, path):
    """Returns (ok, diagnostics)."""
    with open(path, "rb") as f:
        data = f.read()
    verdict, what = expected(data)
    parts = path.split(os.sep)
    intent = "accept" if "valid" in parts else "reject" if "invalid" in parts else None
    try:
        p = subprocess.run([dump, path], capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, [f"our reader took more than {TIMEOUT}s"]
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace").strip()
    diags = []
    if intent and intent != verdict:
        diags.append(f"the case is filed as {intent} but the expectation is {verdict} ({what if verdict == 'reject' else 'tomllib accepts'})")
    if p.returncode == 0:
        if verdict == "reject":
            diags.append(f"we accept, expected a rejection: {what}")
        else:
            try:
                got = json.loads(out)
            except ValueError as e:
                return False, [f"our output is not JSON: {e}"]
            d = compare(what, got)
            if d:
                diags.append(f"trees differ: {d}")
    elif p.returncode == 1:
        if verdict == "accept":
            diags.append(f"we reject, tomllib accepts: {err}")
        elif not ERROR_RE.search(err) and "limit" not in err:
            diags.append(f"error message not in the 'line L, column C: ...' form: {err}")
    else:
        diags.append(f"our reader exited with status {p.returncode}: {err[-500:]}")
    return not diags, diags


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    dump, root = sys.argv[1], sys.argv[2]
    cases = []
    for d, _, files in os.walk(root):
        cases += [os.path.join(d, f) for f in files if f.endswith(".toml")]
    cases.sort()
    print(f"1..{len(cases)}")
    failed = 0
    for i, path in enumerate(cases, 1):
        name = os.path.relpath(path, root)
        ok, diags = run_case(dump, path)
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        for d in diags:
            print(f"# {d}")
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
