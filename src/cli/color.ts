/** What decides whether output is coloured: the stream, the environment and `--no-color`. */
export interface ColorContext {
  isTTY?: boolean | undefined;
  env: Record<string, string | undefined>;
  noColorFlag?: boolean | undefined;
}

/**
 * Colour or not, by the usual conventions: `--no-color` and `NO_COLOR` (no-color.org:
 * set and not empty) turn it off; `FORCE_COLOR` (set and not `0` or `false`) turns
 * it on even in a pipe or CI log; otherwise only on a terminal whose `TERM` is not `dumb`.
 */
export function colorEnabled({ isTTY, env, noColorFlag }: ColorContext): boolean {
  if (noColorFlag || env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force.toLowerCase() !== 'false') return true;
  return isTTY === true && env.TERM !== 'dumb';
}
