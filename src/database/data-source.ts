import { DataSource } from 'typeorm';

import { ENTITIES } from '../app.entities';
import { typeormOptions } from './typeorm-options';

/**
 * The data source of the TypeORM CLI (`npm run migration:run|revert|generate`). It needs DATABASE_URL:
 * the embedded PostgreSQL belongs to the running service, which migrates it at every start. Like the app
 * module, it is a composition root, so it is the one file of database/ that names the entities.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required for the migration commands');

export default new DataSource(typeormOptions(url, 2, ENTITIES));
