import { getMetadataArgsStorage } from 'typeorm';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { ENTITIES } from './app.entities';

describe('ENTITIES', () => {
  it('lists every entity declared in an *.entity.ts file under src/, and nothing else', () => {
    const source = __dirname;
    const entityFiles = readdirSync(source, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.entity.ts'),
    );
    // Loading a file registers its @Entity classes with TypeORM.
    for (const file of entityFiles) jest.requireActual(join(source, file));

    const declared = getMetadataArgsStorage().tables.map((table) => table.target);

    expect(new Set(declared)).toEqual(new Set(ENTITIES));
  });
});
