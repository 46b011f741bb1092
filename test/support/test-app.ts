import type { ConfigType } from '@nestjs/config';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';

import { AppModule } from '../../src/app.module';
import { APPLICATION_OPTIONS, configureApp, createFastifyAdapter } from '../../src/app.setup';
import { authConfig } from '../../src/config/auth.config';
import { bruteForceConfig } from '../../src/config/brute-force.config';
import { registrationConfig } from '../../src/config/registration.config';

export type AuthSettings = ConfigType<typeof authConfig>;
export type BruteForceSettings = ConfigType<typeof bruteForceConfig>;
export type RegistrationSettings = ConfigType<typeof registrationConfig>;

export interface TestApp {
  app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>` of the listening server. */
  url: string;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule with the same adapter, pipes, filter and Swagger as `main.ts`, listening on
 * a real port of loopback, against the worker's PostgreSQL database.
 */
export async function startTestApp(
  settings: Partial<AuthSettings> = {},
  bruteForceSettings: Partial<BruteForceSettings> = {},
  registrationSettings: Partial<RegistrationSettings> = {},
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(authConfig.KEY)
    .useValue({ ...authConfig(), ...settings })
    .overrideProvider(bruteForceConfig.KEY)
    .useValue({ ...bruteForceConfig(), ...bruteForceSettings })
    .overrideProvider(registrationConfig.KEY)
    .useValue({ ...registrationConfig(), ...registrationSettings })
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), {
    ...APPLICATION_OPTIONS,
    logger: ['error', 'warn'],
  });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    dataSource: app.get(DataSource),
    close: () => app.close(),
  };
}

/**
 * `startTestApp` with some environment variables set while the app is built (its config namespaces are
 * built from the environment then; an empty string sets a variable to empty); the environment is
 * restored at once, so other apps of the file get the defaults.
 */
export async function startTestAppWithEnvironment(environment: Record<string, string>): Promise<TestApp> {
  const previous = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
  Object.assign(process.env, environment);
  try {
    return await startTestApp();
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
