/** The installed package's own package.json (for `spreadvec --version`). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Name and version of the spreadvec package this code belongs to. */
export function packageInfo(): { name: string; version: string } {
  // src/cli (tsx) or dist/src/cli (compiled): walk up to the package.json naming spreadvec.
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'spreadvec' && pkg.version) return { name: pkg.name, version: pkg.version };
    }
    dir = path.dirname(dir);
  }
  return { name: 'spreadvec', version: 'unknown' };
}
