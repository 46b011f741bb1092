import { DataSource } from 'typeorm';

import { typeormOptions } from './typeorm-options';

/**
 * The data source of the TypeORM CLI (`npm run migration:run|revert|generate`). It needs DATABASE_URL:
 * the embedded PostgreSQL belongs to the running service, which migrates it at every start.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required for the migration commands');

export default new DataSource(typeormOptions(url, 2));
