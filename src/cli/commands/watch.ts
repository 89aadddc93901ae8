import { relative, resolve } from 'node:path';
import type { Command, CommandContext } from '../args';
import { parseCommandArgs, parseProbability, parseBackend, parseThreads } from '../args';
import { UserError } from '../../core/diagnostics';
import { quoteForMessage } from '../../core/formats/located';
import { readManifest } from '../../core/model/manifest';
import type { MeasuredPattern } from '../../core/formats';
import { MeasurementWatcher, WATCH_DEFAULTS, LONGEST_WAIT_MS, type FileScore, type ScoreRequest } from '../../core/watch';
import { SCORING_BATCH, SCORING_TIME_LIMIT_SECONDS, type ItemResult, type ScoringSettings } from '../../protocol/scoring';
import { ScoringPool, defaultScoringThreads } from '../../worker/scoring-pool';
import { MIN_COVERAGE_FOR_VERDICT, thresholdInForce, verdictLabel } from '../../core/analysis/verdict';
import { reliabilityState } from '../../core/model/reliability';

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Score pattern files as they arrive in a folder: one JSON line per file, until Ctrl-C',
  usage: [
    'latent-xrd watch DIR --model M [--existing] [--recursive] [--threshold p] [--settle ms] [--unfinished ms] [--time-limit s] [--backend auto|wasm|cpu] [--threads N|all]',
    '',
    'Each pattern file written into DIR is read once its size and modification time have held',
    `still for the settle interval (--settle, default ${WATCH_DEFAULTS.settleMs} ms) and it ends where its format ends`,
    '(a text file with a line break; an .xrdml with its closing root element; a .ras with',
    '*RAS_DATA_END). A file that does not is read again once it has been still for --unfinished',
    `(default ${WATCH_DEFAULTS.unfinishedMs} ms), then scored with a "note" or reported. Each file is printed as one JSON line:`,
    '  {"event":"scored","file":…,"time":…,"latent":[…],"bce":…,"bceExcess":…,"mse":…,"pValue":…,',
    '   "verdict":"known"|"novel"|"outside-range","nearestPhase":…,"nearestDistance":…,',
    '   "unexplainedPeaks":[{"twoTheta":…,"d":…,"relativeHeight":…,"sigmas":…}],"coverage":…,"steps":[…],',
    '   "verdictLabel":"KNOWN (unreliable model)"|…,"modelReliable":true|false|null}',
    '  (unexplainedPeaks: lines the model\'s reconstruction leaves unexplained, as in latent-xrd score)',
    '  {"event":"unreadable","file":…,"time":…,"error":"file:line:column: message","line":…,"column":…}',
    '  {"event":"removed","file":…,"time":…}',
    'A rewritten file is scored again. --existing also scores the files already there;',
    '--recursive watches subfolders; --threshold sets the p-value below which a pattern is',
    '"novel" (default: the model\'s). A file covering part of the model\'s 2θ range is scored over',
    `the covered part; below ${MIN_COVERAGE_FOR_VERDICT * 100} % coverage its verdict is "outside-range". "modelReliable" is false`,
    'when the model\'s own held-out checks fell short at training (the reasons are printed on stderr',
    'at start, with the threshold in force), null for a model saved before they were recorded.',
    'Files are read and scored in worker threads (--threads, default all cores: a backlog is shared',
    'out among them, and printed in the order it was taken): one that takes',
    `longer than --time-limit seconds (default ${SCORING_TIME_LIMIT_SECONDS}) is stopped and reported unreadable, and the`,
    'others are scored. Runs until SIGINT or SIGTERM, then exits 0.',
    '',
    'Writers: write each file under a name the watcher ignores (scan.xy.part) and rename it',
    'to its pattern name when it is complete; then no part of it is ever read. Symbolic links to',
    'files outside DIR and linked subfolders are not followed (a note on stderr says so).',
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('watch', argv, {
      model: { type: 'string', short: 'm' },
      existing: { type: 'boolean' },
      recursive: { type: 'boolean' },
      threshold: { type: 'string' },
      settle: { type: 'string' },
      unfinished: { type: 'string' },
      'time-limit': { type: 'string' },
      threads: { type: 'string' },
      backend: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UserError('watch: name one folder to watch');
    if (!values.model) throw new UserError('watch: name the model folder with --model DIR');
    const threshold = values.threshold === undefined ? undefined : parseProbability('--threshold', values.threshold);
    const settleMs = values.settle === undefined ? undefined : parseMilliseconds('--settle', values.settle);
    const unfinishedMs = values.unfinished === undefined ? undefined : parseMilliseconds('--unfinished', values.unfinished);
    const timeLimit = values['time-limit'] === undefined ? SCORING_TIME_LIMIT_SECONDS : parseSeconds('--time-limit', values['time-limit']);
    const modelDir = resolve(ctx.cwd, values.model);
    const manifest = readManifest(modelDir);
    if (manifest.kind === 'cvae') throw new UserError(`${values.model}: a conditional model needs compositions; watch a folder with a plain VAE`);
    // The model is loaded and every file scored in a worker thread: a file that hangs the scorer
    // costs its own line after the time limit, and this thread stays free to answer Ctrl-C.
    const threads = parseThreads('--threads', values.threads, defaultScoringThreads());
    const scoring = new ScoringPool(threads, { timeLimitSeconds: () => timeLimit });
    const settings: ScoringSettings = { model: { dir: modelDir, created: manifest.created, name: values.model, backend: parseBackend(values.backend) }, preprocessing: {}, pThreshold: threshold, pThresholdName: '--threshold' };
    const inForce = thresholdInForce(manifest, threshold, '--threshold');
    const reliability = reliabilityState(manifest);
    let stopping = false;
    try {
      await scoring.load(settings);
    } catch (e) {
      scoring.dispose();
      throw e;
    }

    const watcher = new MeasurementWatcher<FileScore>({
      directory: resolve(ctx.cwd, positionals[0]),
      parse: (bytes, name) => scoring.parse(bytes, name),
      ...workerScoring(scoring, settings),
      // A backlog is taken a full batch per thread at a time, so every core scores one.
      maxBatch: SCORING_BATCH * threads,
      recursive: values.recursive,
      includeExisting: values.existing,
      settleMs,
      unfinishedMs,
      displayName: (path) => relative(ctx.cwd, path) || path,
    });
    // Once stopping, a file whose scoring was cut short is not reported as unreadable.
    const line = (record: Record<string, unknown>) => !stopping && ctx.out(JSON.stringify(record) + '\n');
    const time = (epochMs: number) => new Date(epochMs).toISOString();
    watcher.on('scored', ({ file, result, scoredAt, note }) =>
      line({ event: 'scored', file: file.name, time: time(scoredAt), ...result, verdictLabel: verdictLabel(result.verdict, reliability.reliable), modelReliable: reliability.reliable, ...(note ? { note } : {}) }),
    );
    watcher.on('failed', ({ file, message, diagnostics, at }) => {
      const where = diagnostics.find((d) => d.range)?.range;
      line({ event: 'unreadable', file: file.name, time: time(at), error: message, line: where?.line, column: where?.column });
    });
    watcher.on('removed', ({ name, at }) => line({ event: 'removed', file: name, time: time(at) }));
    watcher.on('watchError', (e) => ctx.err(`latent-xrd watch: ${e.message}\n`));
    watcher.on('skipped', ({ name, reason }) => ctx.err(`latent-xrd watch: note: ${name}: ${reason}\n`));

    try {
      await watcher.start();
      ctx.err(`watching ${positionals[0]} with model ${values.model}${values.recursive ? ' (and subfolders)' : ''}; novel at ${inForce.description}; Ctrl-C to stop\n`);
      if (reliability.reliable !== true) ctx.err(`latent-xrd watch: ${reliability.reliable === false ? 'WARNING: ' : ''}model ${values.model}: ${reliability.summary}\n${reliability.reasons.map((r) => `  - ${r}\n`).join('')}`);
      await untilStopped(ctx);
      stopping = true;
    } finally {
      // The worker first: the watcher's stop waits for the file being scored, which then ends at once.
      scoring.dispose();
      await watcher.stop();
    }
    return 0;
  },
};

/**
 * The watcher's `score` and `scoreBatch` through the scoring worker. A batch with a file that
 * failed throws, so the watcher reports file by file; those answers are kept, not asked again.
 */
function workerScoring(scoring: ScoringPool, settings: ScoringSettings): { score: (m: MeasuredPattern, file: { name: string }) => Promise<FileScore>; scoreBatch: (r: ScoreRequest[]) => Promise<FileScore[]> } {
  const answered = new WeakMap<MeasuredPattern, ItemResult>();
  const asScore = (r: ItemResult, name: string): FileScore => {
    // The watcher names the file in front of a failure itself.
    if (r.error) throw new UserError(r.error.startsWith(`${name}: `) ? r.error.slice(name.length + 2) : r.error, r.diagnostics);
    return { ...r.score!, coverage: r.coverage!, steps: r.steps! };
  };
  return {
    async score(measured, file) {
      const result = answered.get(measured) ?? (await scoring.score([{ kind: 'measured', measured, name: file.name }], settings))[0];
      answered.delete(measured);
      return asScore(result, file.name);
    },
    async scoreBatch(requests) {
      const results = await scoring.score(requests.map((r) => ({ kind: 'measured', measured: r.measured, name: r.file.name })), settings);
      if (results.some((r) => r.error)) {
        results.forEach((r, i) => answered.set(requests[i].measured, r));
        throw new Error('some files of the batch could not be scored');
      }
      return results.map((r, i) => asScore(r, requests[i].file.name));
    },
  };
}

/** Resolves on SIGINT, SIGTERM or the context's abort signal. */
function untilStopped(ctx: CommandContext): Promise<void> {
  return new Promise((done) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      ctx.signal?.removeEventListener('abort', finish);
      done();
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    if (ctx.signal?.aborted) finish();
    else ctx.signal?.addEventListener('abort', finish);
  });
}

function parseSeconds(flag: string, text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new UserError(`${flag} expects seconds > 0; got ${quoteForMessage(text)}`);
  return v;
}

function parseMilliseconds(flag: string, text: string): number {
  const v = Number(text);
  if (!(v >= 0 && v <= LONGEST_WAIT_MS)) throw new UserError(`${flag} expects milliseconds from 0 to ${LONGEST_WAIT_MS} (about 24 days); got ${quoteForMessage(text)}`);
  return v;
}
