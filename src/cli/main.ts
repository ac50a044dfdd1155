import { runProgram } from './program.ts';

/** Entry point of `holoring` (bin/holoring.mjs): runs the program and sets the exit code. */
export const main = runProgram;

// a reader that stops early (`holoring runs export … | head`) closes the pipe: the output
// is no longer wanted, so the command ends quietly, as Unix tools do, instead of with a stack
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await runProgram(process.argv.slice(2));
process.exitCode = code;
