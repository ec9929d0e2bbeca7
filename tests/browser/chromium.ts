import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium; never a downloaded one (there is no network, and `playwright install` is not used). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const MISSING_CHROMIUM =
  `chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` ` +
  `(or set CHROMIUM_PATH to a Chromium binary)`;

/** Launch headless chromium, failing (not skipping) with the install command when it is missing. */
export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING_CHROMIUM);
  return chromium.launch({ executablePath: CHROMIUM });
}
