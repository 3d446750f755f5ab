// The browsers the browser tests run in (Debian's, driven by puppeteer-core): Chromium over CDP, Firefox ESR over
// WebDriver BiDi. The tests use only page-level puppeteer APIs (events, evaluate, screenshots), which both protocols
// carry. `--browser=chromium` or `--browser=firefox` picks one; the default is both.
import { launch as launchChromium } from './chromium.mjs';
import { launch as launchFirefox } from './firefox.mjs';

export const BROWSERS = { chromium: launchChromium, firefox: launchFirefox };

/** The browsers named by --browser=a,b on the command line (default: all), in a fixed order. */
export function browsersFromArgs(argv = process.argv) {
  const arg = argv.find((a) => a.startsWith('--browser='));
  const names = arg ? arg.slice('--browser='.length).split(',') : Object.keys(BROWSERS);
  for (const n of names)
    if (!(n in BROWSERS)) throw new Error(`unknown browser '${n}' (known: ${Object.keys(BROWSERS).join(', ')})`);
  return names;
}
