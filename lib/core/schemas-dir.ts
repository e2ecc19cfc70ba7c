import * as fs from 'fs';
import * as path from 'path';

let found: string | undefined;

/**
 * The folder of the generated, committed validators (`schemas/`), found from this file both in the sources
 * (`lib/core/`), in the compiled output (`build/lib/core/`, also inside an installed package) and in the bundle.
 */
export function schemasDir(): string {
  if (!found) {
    // lib/core/ and build/lib/core/ in the sources and the package; build/ for the bundled app (build/app.js)
    const candidates = [
      path.resolve(__dirname, '..', '..', 'schemas'),
      path.resolve(__dirname, '..', '..', '..', 'schemas'),
      path.resolve(__dirname, '..', 'schemas'),
    ];
    found = candidates.find((dir) => fs.existsSync(path.join(dir, 'index.json')));
    if (!found) throw new Error(`schemas/index.json not found (looked in ${candidates.join(', ')}); run npm run gen:schemas`);
  }
  return found;
}
