import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, splitCommand } from '../src/protocol/split-command.js';
import { decodeNumber, encodeNumber, encodeVector, fromWire } from '../src/protocol/wire-number.js';
import { sameBits } from '../src/numerics/ulp.js';
import { anyDouble } from './support/any-double.js';
import { replayOptions } from './support/replay.js';

/** fast-check replay: OPTIMSPEC_SEED and OPTIMSPEC_PATH reproduce a reported failure (its seed and path are in the message). */
const replay = replayOptions();

describe('wire numbers', () => {
  it('every double survives encode -> JSON text -> decode bit for bit (NaN payloads aside)', () => {
    fc.assert(
      fc.property(anyDouble, (v) => {
        const back = decodeNumber('v', JSON.parse(JSON.stringify(encodeNumber(v))));
        expect(sameBits(back, v)).toBe(true);
      }),
      replay,
    );
  });

  it('writes the special values as the documented strings, and finite values as JSON numbers', () => {
    expect(
      JSON.stringify(
        encodeVector([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 0.1, 5e-324]),
      ),
    ).toBe('["NaN","Infinity","-Infinity","-0",0,0.1,5e-324]');
  });

  it('accepts -0 written as a JSON number too (a child may write -0.0)', () => {
    expect(Object.is(decodeNumber('x', JSON.parse('-0.0')), -0)).toBe(true);
  });

  it('refuses anything else, naming the field, index and value', () => {
    expect(() => decodeNumber('x[2]', '1.5')).toThrow(
      'x[2] must be a number or one of "NaN", "Infinity", "-Infinity", "-0", got "1.5"',
    );
    expect(() => decodeNumber('x[0]', null)).toThrow('x[0] must be a number');
    expect(() => decodeNumber('x[0]', 'nan')).toThrow('got "nan"');
  });

  it('a vector from the wire: the four strings become numbers, anything else is left for the checked copy to name', () => {
    const decoded = fromWire(['NaN', 'Infinity', '-Infinity', '-0', 0, 1.5, '1.5', null, true]) as unknown[];
    expect(decoded.slice(0, 3)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(Object.is(decoded[3], -0)).toBe(true);
    expect(Object.is(decoded[4], 0)).toBe(true);
    expect(decoded.slice(5)).toEqual([1.5, '1.5', null, true]);
    expect(fromWire(5)).toBe(5);
    expect(fromWire({ x: 1 })).toEqual({ x: 1 });
  });
});

describe('splitCommand', () => {
  it.each([
    ['python3 adapter.py', ['python3', 'adapter.py']],
    ['  python3   -u\tadapter.py  ', ['python3', '-u', 'adapter.py']],
    [`python3 "my adapters/lecture.py" --name 'a b'`, ['python3', 'my adapters/lecture.py', '--name', 'a b']],
    [`node -e "console.log(\\"hi\\")"`, ['node', '-e', 'console.log("hi")']],
    [`echo 'single "quotes" keep \\ backslashes'`, ['echo', 'single "quotes" keep \\ backslashes']],
    [`run a\\ b c\\'d`, ['run', 'a b', "c'd"]],
    [`run "" ''`, ['run', '', '']],
    [`run pre"mid dle"post`, ['run', 'premid dlepost']],
    [`run "a\\nb"`, ['run', 'a\\nb']],
    ['run $HOME *.py | cat > out', ['run', '$HOME', '*.py', '|', 'cat', '>', 'out']],
  ])('%s', (command, argv) => {
    expect(splitCommand(command)).toEqual(argv);
  });

  it('rejects unterminated quotes, a trailing backslash and an empty command, naming the command', () => {
    expect(() => splitCommand(`python3 'adapter.py`)).toThrow(
      `command "python3 'adapter.py": unterminated ' quote at position 8`,
    );
    expect(() => splitCommand('python3 "adapter.py')).toThrow('unterminated " quote');
    expect(() => splitCommand('python3 \\')).toThrow('trailing backslash');
    expect(() => splitCommand('   ')).toThrow('no program to run');
    expect(() => splitCommand(`'' arg`)).toThrow('no program to run');
  });

  it('parseCommandLine reads leading NAME=value words as sh does: environment variables for the child', () => {
    expect(parseCommandLine('FOO=1 PYTHONPATH=src python3 a.py X=2')).toEqual({
      env: { FOO: '1', PYTHONPATH: 'src' },
      argv: ['python3', 'a.py', 'X=2'],
    });
    // The value is quoted as any word; an empty value is a value.
    expect(parseCommandLine(`MSG='a b' EMPTY= _x9="c"d run`)).toEqual({
      env: { MSG: 'a b', EMPTY: '', _x9: 'cd' },
      argv: ['run'],
    });
    // A quoted or escaped name, or one that is not a name, is no assignment: sh runs a program of that name.
    for (const word of [`"A"=1`, `'A=1'`, `A\\B=1`, `1A=1`, `=1`, `A-B=1`]) {
      expect(parseCommandLine(`${word} run`).argv[0]).toBe(splitCommand(word)[0]);
    }
    expect(splitCommand('FOO=1 run')).toEqual(['FOO=1', 'run']);
    expect(() => parseCommandLine('FOO=1 BAR=2')).toThrow(
      'command "FOO=1 BAR=2": no program to run after the NAME=value assignments',
    );
  });

  it('inverts POSIX single-quoting of any argv', () => {
    // The characters a quoting rule can get wrong, plus ordinary and non-ASCII ones.
    const shellChar = fc.constantFrom(
      ' ',
      '\t',
      '\n',
      "'",
      '"',
      '\\',
      '$',
      '*',
      '|',
      ';',
      'a',
      'Z',
      '0',
      '-',
      'é',
      '😀',
      '\u0000',
    );
    const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;
    fc.assert(
      fc.property(fc.array(fc.string({ unit: shellChar }), { minLength: 1, maxLength: 5 }), (argv) => {
        fc.pre(argv[0] !== '');
        expect(splitCommand(argv.map(quote).join(' '))).toEqual(argv);
      }),
      replay,
    );
  });
});
