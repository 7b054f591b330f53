import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const SCREENSHOT_DIR = resolve('test-artifacts/screenshots');

/** Debian's Chromium, headless; fails with what to install when it is missing (never skips). */
export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  } catch (error) {
    throw new Error(`Cannot start Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (scripts/test-prereqs.sh does). ${String(error)}`, { cause: error });
  }
}

/** Saves a full-page screenshot under test-artifacts/screenshots/ and prints where. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = resolve(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}
