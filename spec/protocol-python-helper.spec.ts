import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hangGuard } from './support/slowdown.js';

const script = fileURLToPath(new URL('../examples/python/lecture_pure.py', import.meta.url));

/** Feeds raw request lines to the Python helper and returns its answers, one object per line. */
function transcript(requests: string[]): Record<string, unknown>[] {
  const out = execFileSync('python3', [script], {
    input: `${requests.join('\n')}\n`,
    encoding: 'utf8',
    timeout: hangGuard(20_000),
  });
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

describe('examples/python/optimspec_protocol.py, raw', () => {
  const answers = transcript([
    '{"id":1,"op":"hello","protocol":2}',
    '{"id":2,"op":"hello","protocol":1}',
    'not json',
    '[1,2]',
    '{"id":3,"op":"train"}',
    '{"id":4,"op":"create","config":{"optimizer":"sgd","learningRate":"-0"},"x0":[1,"-0","NaN","Infinity","-Infinity",5e-324]}',
    '{"id":5,"op":"step","handle":1,"grad":[0,0,0,0,0,0]}',
    '{"id":6,"op":"steps","handle":1,"grads":[[0,0,0,0,0,0]],"learningRates":[0.5,0.5]}',
    '{"id":7,"op":"step","handle":1,"grad":[0,"1.5",0,0,0,0]}',
    '{"id":8,"op":"dispose","handle":1}',
    '{"id":9,"op":"dispose","handle":1}',
    '{"id":10,"op":"shutdown"}',
    '{"id":11,"op":"hello","protocol":1}',
  ]);

  it('refuses another protocol version with ok:false, then shakes hands', () => {
    expect(answers[0]).toEqual({
      id: 1,
      ok: false,
      error: 'ValueError: protocol version 2 is not supported (this helper speaks 1)',
    });
    expect(answers[1]).toMatchObject({ id: 2, ok: true, protocol: 1, dtype: 'float64' });
  });

  it('answers an unreadable line with id null, and an unknown op with ok:false', () => {
    expect(answers[2]).toMatchObject({ id: null, ok: false });
    expect(answers[3]).toEqual({
      id: null,
      ok: false,
      error: 'cannot read request: a request must be a JSON object with an integer id',
    });
    expect(answers[4]).toEqual({ id: 3, ok: false, error: "ValueError: unknown op 'train'" });
  });

  it('decodes and encodes NaN, the infinities, -0 and subnormals as the documented strings', () => {
    expect(answers[5]).toEqual({ id: 4, ok: true, handle: 1 });
    // learningRate "-0" decoded as -0: x - (-0) * 0 = x - (-0) = x + 0, which is x for every x but -0,
    // where -0 + 0 = +0 (IEEE-754). Had the config's "-0" been read as +0, that coordinate would stay "-0".
    expect(answers[6]).toEqual({ id: 5, ok: true, x: [1, 0, 'NaN', 'Infinity', '-Infinity', 5e-324] });
  });

  it('refuses malformed batches and numbers, and unknown handles, with ok:false; the session goes on', () => {
    expect(answers[7]).toEqual({ id: 6, ok: false, error: 'TypeError: learningRates must be a list as long as grads' });
    expect(answers[8]).toEqual({ id: 7, ok: false, error: "TypeError: grad[1] must be a number, got '1.5'" });
    expect(answers[9]).toEqual({ id: 8, ok: true });
    expect(answers[10]).toEqual({ id: 9, ok: false, error: "KeyError: 'no instance with handle 1'" });
  });

  it('answers shutdown and stops reading', () => {
    expect(answers[11]).toEqual({ id: 10, ok: true });
    expect(answers).toHaveLength(12);
  });
});

describe("examples/python/optimspec_protocol.py, the traceback of the adapter's own exception", () => {
  it("names the file and line of the user's code, without the helper's own frames", () => {
    const child = fileURLToPath(new URL('./support/children/raising_adapter.py', import.meta.url));
    const out = execFileSync('python3', [child], {
      input: [
        '{"id":1,"op":"hello","protocol":1}',
        '{"id":2,"op":"create","config":{"optimizer":"sgd","learningRate":0.1},"x0":[1]}',
        '{"id":3,"op":"step","handle":1,"grad":[1]}',
        '',
      ].join('\n'),
      encoding: 'utf8',
      timeout: hangGuard(20_000),
    });
    const answer = JSON.parse(out.trim().split('\n')[2]!) as { ok: boolean; error: string };
    expect(answer.ok).toBe(false);
    const lines = answer.error.split('\n');
    expect(lines[0]).toBe('RuntimeError: boom in update');
    expect(answer.error).toMatch(/raising_adapter\.py", line 16, in step\n/);
    expect(answer.error).toMatch(/raising_adapter\.py", line 19, in update\n/);
    expect(answer.error).not.toMatch(/optimspec_protocol\.py/);
  });
});
