import cliProgress from 'cli-progress';

/**
 * Progress on stderr: a bar on a terminal, otherwise one line per 10% (so logs of
 * unattended runs still show progress). Silent with `quiet`.
 */
export interface Progress {
  update(done: number, info?: string): void;
  stop(): void;
}

export function createProgress(label: string, total: number, opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { update: () => {}, stop: () => {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} {info}`, stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: '' });
    return { update: (d, info = '') => bar.update(d, { info }), stop: () => bar.stop() };
  }
  let lastDecile = -1;
  return {
    update: (d, info) => {
      const decile = Math.floor((10 * d) / Math.max(total, 1));
      if (decile > lastDecile) {
        lastDecile = decile;
        stream.write(`${label}: ${d}/${total}${info ? ` ${info}` : ''}\n`);
      }
    },
    stop: () => {},
  };
}
