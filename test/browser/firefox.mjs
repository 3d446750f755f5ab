// Launches Debian's Firefox ESR (/usr/bin/firefox-esr) through puppeteer-core over WebDriver BiDi, headless, with a
// fresh profile (puppeteer makes and removes it). Never downloads a browser.
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

export const FIREFOX = '/usr/bin/firefox-esr';

export async function launch() {
  if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} is missing: apt-get install -y firefox-esr (.ci/run does)`);
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  return { browser, close: () => browser.close() };
}
