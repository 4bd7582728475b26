// What every browser test shares: Debian's Chromium (never a downloaded browser), the flags it runs with here, and
// where screenshots go. A test file's suite is skipped with `noChromium` as the reason when the executable is missing.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// No background connections (this machine's network is closed), no sandbox as root.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
export const noChromium = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM}`;
// UPDATE_SCREENSHOTS=1 writes the screenshots into docs/images/ (the docs show them), else tests/results/screenshots/.
export const screenshotDir = process.env.UPDATE_SCREENSHOTS === '1'
  ? join(repoRoot, 'docs', 'images')
  : join(repoRoot, 'tests', 'results', 'screenshots');
