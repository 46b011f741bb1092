/** Unit specs sit beside the code they test; end-to-end specs under test/ run the real app on PostgreSQL. */
/**
 * TypeScript is compiled by ts-jest. NestJS 12 ships ES modules, which Jest loads as they are through Node's
 * require(esm): that needs Node 24.9+ and Jest started with --experimental-vm-modules (the npm test scripts).
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }],
};

/** @type {import('jest').Config} */
module.exports = {
  // Jest reads this only at the top level, not per project. End-to-end tests start apps and PostgreSQL work.
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: 'src',
      testRegex: '\\.spec\\.ts$',
      moduleFileExtensions: ['js', 'json', 'ts'],
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testRegex: 'test/.*\\.e2e-spec\\.ts$',
      moduleFileExtensions: ['js', 'json', 'ts'],
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/worker-database.ts'],
    },
  ],
};
