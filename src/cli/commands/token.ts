import { closeSync, existsSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { readConfigFile } from '../../config/schema.ts';
import { type Role, Roles, createToken, parseDuration } from '../../auth/tokens.ts';
import { ErrorCodes, HoloringError } from '../../errors.ts';

interface TokenCreateFlags {
  role: string;
  expires?: string;
  label?: string;
  config?: string;
}

/** Writes `text` to `path` atomically (temporary file, fsync, rename). */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `--config: cannot write ${path}: ${(e as Error).message}`, { flag: '--config', path });
  }
}

/**
 * Adds a token entry under server.auth.tokens of a configuration object
 * (creating the path), refusing a configuration that is not an object.
 */
export function addTokenEntry(config: unknown, entry: object, source: string): Record<string, unknown> {
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(config)) throw new HoloringError(ErrorCodes.CONFIG_INVALID, `${source}: a configuration must be a JSON object`, { source });
  const server = config.server ?? {};
  if (!isObject(server)) throw new HoloringError(ErrorCodes.CONFIG_INVALID, `${source}: server must be an object`, { source, path: 'server' });
  const auth = server.auth ?? {};
  if (!isObject(auth)) throw new HoloringError(ErrorCodes.CONFIG_INVALID, `${source}: server.auth must be an object`, { source, path: 'server.auth' });
  const tokens = auth.tokens ?? [];
  if (!Array.isArray(tokens)) throw new HoloringError(ErrorCodes.CONFIG_INVALID, `${source}: server.auth.tokens must be an array`, { source, path: 'server.auth.tokens' });
  return { ...config, server: { ...server, auth: { ...auth, tokens: [...tokens, entry] } } };
}

export function registerToken(program: Command): void {
  const token = program.command('token').description('bearer tokens for remote access to the daemon (roles viewer and operator)');
  token
    .command('create')
    .description('create a token: prints it once; with --config adds its hash to that configuration file, otherwise prints the entry to add under server.auth.tokens')
    .requiredOption('--role <role>', 'viewer (read-only) | operator (control)')
    .option('--expires <duration>', 'lifetime such as 30d, 12h, 90m (default: never expires)')
    .option('--label <name>', 'who the token is for (shown in the audit log)')
    .option('--config <file>', 'JSON configuration file to add the entry to (created if missing)')
    .action((o: TokenCreateFlags) => {
      if (!(Roles as readonly string[]).includes(o.role)) {
        throw new HoloringError(ErrorCodes.ARG_INVALID, `--role: expected viewer or operator (got "${o.role}")`, { flag: '--role', value: o.role });
      }
      const expiresInMs = o.expires !== undefined ? parseDuration(o.expires) : undefined;
      const { token: secret, entry } = createToken({ role: o.role as Role, ...(expiresInMs !== undefined ? { expiresInMs } : {}), ...(o.label ? { label: o.label } : {}) });
      if (o.config) {
        const current = existsSync(o.config) ? readConfigFile(o.config) : {};
        const next = addTokenEntry(current, entry, o.config);
        writeAtomically(o.config, JSON.stringify(next, null, 2) + '\n');
        process.stderr.write(`added ${entry.role} token ${entry.id}${entry.expires ? ` (expires ${entry.expires})` : ''} to ${o.config}; restart the daemon to use it. The token is shown once:\n`);
      } else {
        process.stderr.write(`add this entry under server.auth.tokens in the daemon's configuration:\n${JSON.stringify(entry, null, 2)}\nThe token is shown once:\n`);
      }
      process.stdout.write(secret + '\n');
    });
}
