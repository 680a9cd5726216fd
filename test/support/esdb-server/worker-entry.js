// Worker-thread entry of the EventStoreDB test double (see esdb-test-server-thread.ts): the worker
// runs outside jest's module system, so it compiles the TypeScript sources itself.
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
require('./worker-main.ts');
