import { DynamicModule, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { databaseConfig } from '../config/database.config';
import { DatabaseUrlProvider } from './database-url.provider';
import { runMigrationsExclusively } from './migration-runner';
import { EntityList, typeormOptions } from './typeorm-options';

@Module({
  exports: [DatabaseUrlProvider],
  providers: [DatabaseUrlProvider],
})
class DatabaseUrlModule {}

/**
 * PostgreSQL through TypeORM, with the schema migrated before the first request is served. The app module
 * passes the entities (`src/app.entities.ts`), so that database/ depends on no feature.
 */
@Module({})
export class DatabaseModule {
  public static forRoot(entities: EntityList): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: [DatabaseUrlModule],
          inject: [databaseConfig.KEY, DatabaseUrlProvider],
          useFactory: async (config: ConfigType<typeof databaseConfig>, urls: DatabaseUrlProvider) =>
            typeormOptions(await urls.resolveUrl(), config.poolSize, entities),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runMigrationsExclusively(dataSource);
            return dataSource;
          },
        }),
      ],
    };
  }
}
