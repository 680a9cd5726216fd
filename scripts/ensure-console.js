#!/usr/bin/env node
// Builds the web console (console/ → console/dist, served at /console/) when its bundle is missing
// or older than its sources, so `npm start` on a fresh clone serves it without a separate step.
// `npm run build` always builds it; this only fills the gap for `npm start` (nest start).
const { existsSync, readdirSync, statSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const consoleDir = join(root, 'console');
const bundle = join(consoleDir, 'dist', 'index.html');

/** Newest modification time of the console's sources (everything under console/ but dist/). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' && dir === consoleDir) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(consoleDir)) {
  console.log('Building the console (vite build --config console/vite.config.mts)…');
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'console/vite.config.mts',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
