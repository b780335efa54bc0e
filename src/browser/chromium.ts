import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The names Chromium's executable has on the PATH (Debian's package, Google's builds). */
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** How to get a Chromium, for the error that says none was found. */
export const CHROMIUM_INSTALL = 'apt-get install -y chromium (Debian, Ubuntu), or pass --chromium <path>';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium to run adapters in: `given` when it is executable, else the first of
 * NAMES on `path` (the PATH variable). Throws an Error that names what was looked for and
 * the install command when there is none, before any browser is started.
 */
export function findChromium(given: string | undefined, path: string = process.env.PATH ?? ''): string {
  if (given !== undefined) {
    if (executable(given)) return given;
    throw new Error(
      `--chromium ${JSON.stringify(given)}: no executable file there; install Chromium with ${CHROMIUM_INSTALL}`,
    );
  }
  for (const folder of path.split(delimiter).filter((f) => f !== ''))
    for (const name of NAMES) {
      const file = join(folder, name);
      if (executable(file)) return file;
    }
  throw new Error(
    `no Chromium found on the PATH (looked for ${NAMES.join(', ')}); install it with ${CHROMIUM_INSTALL}`,
  );
}
