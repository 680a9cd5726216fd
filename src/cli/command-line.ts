import type { Command } from 'commander';

/** Where a command-line tool writes: the process's streams, or a test's collectors. */
export interface TextOutput {
  write(text: string): unknown;
}

/**
 * Parses a tool's arguments with commander's output (help, usage errors) going to `io` and no
 * `process.exit` of its own: answers the exit code when the tool should stop there (`--help`: 0,
 * a usage error: commander's code, else 2), or undefined when the options are ready to read.
 */
export function exitCodeOfParsing(
  program: Command,
  argv: readonly string[],
  io: { stdout: TextOutput; stderr: TextOutput },
): number | undefined {
  program.exitOverride().configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
  });
  try {
    program.parse([...argv], { from: 'user' });
    return undefined;
  } catch (error) {
    return (error as { exitCode?: number }).exitCode ?? 2;
  }
}
