#!/usr/bin/env python3
"""Regenerates the golden fixtures into a temporary folder and compares them with the
committed ones, bit for bit. Exit 0 iff every generated file is identical. Both generators
run: scripts/generate_fixtures.py and scripts/generate_tensor_fixtures.py.

Usage: python3 scripts/check_fixtures.py [committed-folder]   (default: fixtures)

On a difference it names the file and the first differing value (its JSON path and
both values), so a stale fixture or a changed NumPy is visible at once. Files in
fixtures/optimizers, fixtures/schedules and fixtures/rounding are generated; fixtures/schema.json is
written by hand and not compared. Only provenance.numpy and provenance.python may
differ (another machine); that is reported, not failed, when every value is identical.
fixtures/tensors is generated too; fixtures/tensors.schema.json is written by hand.
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATED = ('optimizers', 'schedules', 'rounding', 'tensors')
GENERATORS = ('generate_fixtures.py', 'generate_tensor_fixtures.py')
VERSION_FIELDS = {('provenance', 'numpy'), ('provenance', 'python')}


def json_files(root):
    found = set()
    for sub in GENERATED:
        folder = os.path.join(root, sub)
        if os.path.isdir(folder):
            found.update(os.path.join(sub, name) for name in os.listdir(folder) if name.endswith('.json'))
    return found


def first_difference(a, b, path=()):
    """The first (path, a, b) where two parsed JSON values differ, or None; floats compared by repr."""
    if type(a) is not type(b):
        return path, a, b
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return path + (key,), a.get(key, '<missing>'), b.get(key, '<missing>')
            found = first_difference(a[key], b[key], path + (key,))
            if found:
                return found
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, path + (i,))
            if found:
                return found
        return (path + ('length',), len(a), len(b)) if len(a) != len(b) else None
    return None if repr(a) == repr(b) else (path, a, b)


def describe(committed, path):
    """Adds the case id to a path inside `cases`, so the message names the case."""
    if len(path) >= 2 and path[0] == 'cases' and isinstance(path[1], int) and path[1] < len(committed.get('cases', [])):
        return f"case {committed['cases'][path[1]].get('id')!r}, at {'/'.join(map(str, path[2:]))}"
    return '/'.join(map(str, path))


def main(argv):
    committed_root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(HERE), 'fixtures')
    with tempfile.TemporaryDirectory(prefix='optimspec-fixtures-') as fresh_root:
        for generator in GENERATORS:
            subprocess.run([sys.executable, os.path.join(HERE, generator), fresh_root], check=True)
        committed, fresh = json_files(committed_root), json_files(fresh_root)
        failures, notes = [], []
        for name in sorted(committed - fresh):
            failures.append(f'{name}: committed but no longer generated')
        for name in sorted(fresh - committed):
            failures.append(f'{name}: generated but not committed')
        for name in sorted(committed & fresh):
            with open(os.path.join(committed_root, name), 'rb') as f:
                old_bytes = f.read()
            with open(os.path.join(fresh_root, name), 'rb') as f:
                new_bytes = f.read()
            if old_bytes == new_bytes:
                continue
            old, new = json.loads(old_bytes), json.loads(new_bytes)
            diff = first_difference(old, new)
            if diff is None:
                failures.append(f'{name}: same values but different bytes (formatting changed)')
                continue
            path, a, b = diff
            if path[:2] in VERSION_FIELDS and first_difference(dict(old, provenance=None), dict(new, provenance=None)) is None \
                    and {k: v for k, v in old['provenance'].items() if k not in ('numpy', 'python')} == \
                    {k: v for k, v in new['provenance'].items() if k not in ('numpy', 'python')}:
                notes.append(f'{name}: made with {path[1]} {a}, here {b}; every value identical')
                continue
            failures.append(f'{name}: first difference at {describe(old, path)}: committed {a!r}, regenerated {b!r}')
    for note in notes:
        print(f'note: {note}')
    if failures:
        for failure in failures:
            print(f'FIXTURE MISMATCH {failure}', file=sys.stderr)
        print(f'fixtures:check failed: {len(failures)} file(s) differ; run `npm run fixtures` and review the diff', file=sys.stderr)
        return 1
    print(f'fixtures:check ok: {len(committed)} files reproduced bit for bit')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
