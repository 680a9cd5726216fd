/** One jest run covers the whole suite: unit specs next to the code, contract and e2e under test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    // jose 6 and content-disposition 3 (under @fastify/static) ship ES modules only; ts-jest turns
    // them into CommonJS for jest's module system (Node itself loads them with require(esm)).
    '^.+\\.(t|j)s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true, target: 'ES2022', module: 'commonjs' }, diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|content-disposition)/)'],
  testTimeout: 30000,
};
