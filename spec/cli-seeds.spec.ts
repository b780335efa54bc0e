import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import type { CliIo } from '../src/cli/index.js';
import { importBuilt } from './support/built.js';
import { testScratchFolder } from './support/scratch.js';

// The compiled CLI (spec/support/built.ts): its adapter workers start from JavaScript, not through tsx.
const { runCheckCommand, shardSeeds } =
  await importBuilt<typeof import('../src/cli/check-command.js')>('src/cli/check-command.ts');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function run(args: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    env: {},
    cwd: root,
  };
  const code = await runCheckCommand(args, io);
  return { code, out, err };
}

const schema = (name: string) => JSON.parse(readFileSync(join(root, 'docs', name), 'utf8'));
const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addSchema(schema('report.schema.json'));
const validate = ajv.compile(schema('seeds-report.schema.json'));

describe('optimspec check --seeds N --shard k/n', () => {
  test('the shards of a seed range check each seed once, from --seed on', () => {
    const shards = [1, 2, 3].map((k) => shardSeeds(7, { k, n: 3 }, 2147483646));
    expect(shards).toEqual([
      [2147483646, -2147483647, -2147483644],
      [2147483647, -2147483646],
      [-2147483648, -2147483645],
    ]);
    expect(shardSeeds(3, undefined, -5)).toEqual([-5, -4, -3]);
  });

  test("each shard writes its runs' reports; merged as docs/cli.md does, they are every seed's, valid against the schema", async () => {
    const dir = testScratchFolder('optimspec-seeds-');
    const shard = (k: number) =>
      run([
        'spec/cli-adapters/sgd-bug.mjs',
        '--no-color',
        // A quarter of the drawn cases: the planted bug fails every seed with them, and the seeds are the point.
        '--runs',
        '0.25',
        '--seed',
        '7',
        '--seeds',
        '3',
        '--shard',
        `${k}/2`,
        '--json',
        join(dir, `shard-${k}.json`),
      ]);
    const [one, two] = [await shard(1), await shard(2)];
    // The planted bug fails every seed: a summary line per seed, then the first failing run in full.
    expect(one.code).toBe(1);
    const [lines, full] = one.out.split('\nseed 7, the first that failed:\n') as [string, string];
    expect(lines.match(/^FAIL sgd with a stale learning rate .*, seed (7|9)$/gm)).toHaveLength(2);
    expect(full).toMatch(/^sgd +fails/m);
    expect(two.out.split('\nseed 8, the first that failed:\n')[0]!.match(/, seed \d+$/gm)).toEqual([', seed 8']);
    const docs = [1, 2].map((k) => JSON.parse(readFileSync(join(dir, `shard-${k}.json`), 'utf8')));
    for (const doc of docs) expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(docs.map((d) => d.seeds)).toEqual([
      { count: 3, shard: '1/2', checked: [7, 9] },
      { count: 3, shard: '2/2', checked: [8] },
    ]);
    // docs/cli.md's jq merge, in JavaScript.
    const merged = {
      optimspec: docs[0].optimspec,
      adapter: docs[0].adapter,
      seeds: { count: docs[0].seeds.count, checked: docs.flatMap((d) => d.seeds.checked) },
      passed: docs.every((d) => d.passed),
      reports: docs.flatMap((d) => d.reports),
    };
    expect(validate(merged), JSON.stringify(validate.errors)).toBe(true);
    expect(merged.reports.map((r: { options: { seed: number } }) => r.options.seed).sort()).toEqual([7, 8, 9]);
    expect(merged.passed).toBe(false);
  });

  test('refuses a shard without its seeds, an empty shard, and the one-run formats, naming the flag', async () => {
    const cases: [string[], string][] = [
      [['--shard', '1/2'], '--shard 1/2 needs --seeds N'],
      [['--seeds', '2', '--shard', '1/2'], '--shard 1/2 needs --seed'],
      [['--seeds', '2', '--seed', '1', '--shard', '3/3'], '--shard 3/3 of --seeds 2 holds no seed'],
      [['--seeds', '2', '--seed', '1', '--shard', '0/2'], '--shard must be k/n with 1 <= k <= n'],
      [['--seeds', '0'], '--seeds must be an integer in [1, 100000]'],
      [['--seeds', '2', '--junit', 'r.xml'], 'not --junit'],
    ];
    for (const [flags, message] of cases) {
      const { code, err } = await run(['spec/cli-adapters/sgd-only.mjs', ...flags]);
      expect(code, flags.join(' ')).toBe(2);
      expect(err, flags.join(' ')).toContain(message);
    }
  });
});
