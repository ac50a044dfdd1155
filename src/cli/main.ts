import { runProgram } from './program.ts';

/** Entry point of `holoring` (bin/holoring.mjs): runs the program and sets the exit code. */
export const main = runProgram;

const code = await runProgram(process.argv.slice(2));
process.exitCode = code;
