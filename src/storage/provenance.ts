import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The git commit of the running code (for the start document), or null when it
 * is not run from a git checkout or git is missing.
 */
export function gitCommit(): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: fileURLToPath(new URL('.', import.meta.url)), stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 });
    const sha = out.toString().trim();
    return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}
