/** Headless Chromium for the analyst UI tests: Debian's chromium driven by playwright-core (no bundled browser). */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium executable: `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium`; throws when not executable. */
export function chromiumPath(env: Readonly<Record<string, string | undefined>>): string {
  const path = env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  try {
    accessSync(path, constants.X_OK);
  } catch (error) {
    throw new Error(`no Chromium at ${path} (apt-get install chromium, or set CHROMIUM_PATH)`, { cause: error });
  }
  return path;
}

/** Launches headless Chromium; `--no-sandbox` because the tests run as root. Close it with `browser.close()`. */
export async function launchChromium(env: Readonly<Record<string, string | undefined>> = process.env): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(env),
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** Width and height from a PNG's IHDR chunk; throws when `png` is not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buf.length < 33 || !buf.subarray(0, 8).equals(signature) || buf.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG (bad signature or first chunk is not IHDR)');
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}
