import * as fs from 'fs';
import * as path from 'path';

let found: string | undefined;

/**
 * The folder of the generated, committed validators (`schemas/`), found from this file both in the sources
 * (`lib/`) and in the compiled output (`build/lib/`, also inside an installed package).
 */
export function schemasDir(): string {
  if (!found) {
    const candidates = [path.resolve(__dirname, '..', 'schemas'), path.resolve(__dirname, '..', '..', 'schemas')];
    found = candidates.find((dir) => fs.existsSync(path.join(dir, 'index.json')));
    if (!found) throw new Error(`schemas/index.json not found (looked in ${candidates.join(', ')}); run npm run gen:schemas`);
  }
  return found;
}
