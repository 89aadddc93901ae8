// The one table of what `latent-xrd reproduce` measures: each metric's target, the paper's value
// (with where the paper states it) and how we measure it, including where our measure is not the
// paper's. The CLI's text, the JSON report and the table in docs/reproduction.md are all made from it.

/** A metric the study reports for each model, keyed as in `reproduce --json`. */
export type TargetKey =
  | 'knnAccuracy'
  | 'meanErrorKnown'
  | 'meanErrorUnknown'
  | 'meanErrorRatioUnknownToKnown'
  | 'medianErrorRatioUnknownToKnown'
  | 'aurocUnknown'
  | 'aurocMixtures'
  | 'mixturePeakX'
  | 'aurocCompositionMismatch';

export type Goal = { atLeast: number } | { between: [number, number] } | null;

export interface Target {
  key: TargetKey;
  /** What it is, in a few words (the CLI's row label). */
  label: string;
  /** null: reported beside the paper's value, not a pass/fail target. */
  goal: Goal;
  /** The paper's value as it states it, and where; '—' when the paper gives no number. */
  paper: string;
  /** The paper's number when it gives one (for the "falls short" check), else null. */
  paperValue: number | null;
  /** How we measure it. */
  measure: string;
  /** Whether `measure` is the paper's own measure; if not, how it differs. */
  paperMeasure: true | string;
  /** Per binary pair rather than one number (the mixture peak). */
  perPair?: boolean;
}

export const TARGETS: readonly Target[] = [
  {
    key: 'knnAccuracy',
    label: 'KNN accuracy on the latent',
    goal: { atLeast: 0.992 },
    paper: '0.9916 (Fig. 2 caption)',
    paperValue: 0.9916,
    measure: '5-NN on the latent means of the training patterns, accuracy on the held-out test patterns',
    paperMeasure: 'the paper does not state its k',
  },
  {
    key: 'meanErrorKnown',
    label: 'mean error, known (test)',
    goal: null,
    paper: '0.017 (Fig. 2 caption)',
    paperValue: 0.017,
    measure: 'mean over held-out known test patterns of the per-point BCE the model trains on, reconstruction decoded from μ',
    paperMeasure: true,
  },
  {
    key: 'meanErrorUnknown',
    label: 'mean error, unknown phase',
    goal: null,
    paper: '0.09 (Fig. 2 caption)',
    paperValue: 0.09,
    measure: 'the same mean per-point BCE over the patterns of σ-FeCr, the paper\'s unknown phase (the hard unknowns are reported apart)',
    paperMeasure: true,
  },
  {
    key: 'meanErrorRatioUnknownToKnown',
    label: 'mean error unknown ÷ known',
    goal: { atLeast: 5 },
    paper: '≈ 5.3 (0.09 ÷ 0.017)',
    paperValue: 0.09 / 0.017,
    measure: 'meanErrorUnknown ÷ meanErrorKnown',
    paperMeasure: true,
  },
  {
    key: 'medianErrorRatioUnknownToKnown',
    label: 'median excess error unknown ÷ known',
    goal: { atLeast: 5 },
    paper: '"one order of magnitude" (Fig. 3a caption, medians)',
    paperValue: null,
    measure: 'ratio of medians of the excess BCE (BCE minus the pattern\'s own entropy, 0 for a perfect reconstruction): the novelty score',
    paperMeasure: 'excess BCE, not the plain BCE the paper plots',
  },
  {
    key: 'aurocUnknown',
    label: 'AUROC known vs unknown phase',
    goal: { atLeast: 0.99 },
    paper: '—',
    paperValue: null,
    measure: 'AUROC of the excess BCE, σ-FeCr patterns against held-out known test patterns',
    paperMeasure: 'the paper shows the distributions (Fig. 3a), no AUROC',
  },
  {
    key: 'aurocMixtures',
    label: 'AUROC pure vs binary mixture',
    goal: { atLeast: 0.9 },
    paper: '— (mean error ≈ 10× the pure phases\')',
    paperValue: null,
    measure: 'AUROC of the excess BCE, binary mixtures of known phases (never trained on) against held-out known test patterns',
    paperMeasure: 'the paper shows the distributions (Fig. 3a), no AUROC',
  },
  {
    key: 'mixturePeakX',
    label: 'mixture error maximum at x',
    goal: { between: [0.3, 0.7] },
    paper: '≈ 0.5 for every pair (Fig. 3b)',
    paperValue: 0.5,
    measure: 'x of the largest per-fraction mean of the plain BCE (raw argmax, no smoothing, nothing tuned), per pair',
    paperMeasure: true,
    perPair: true,
  },
  {
    key: 'aurocCompositionMismatch',
    label: 'AUROC composition mismatch (cVAE)',
    goal: { atLeast: 0.95 },
    paper: '— (the error rises with a mismatch)',
    paperValue: null,
    measure: 'AUROC of the mean BCE of an ensemble of 5 cVAEs, test patterns of 21 Co–Ni–Cr–Re structures given a composition from another structure\'s plausible region (outside their own) against their own composition',
    paperMeasure: 'the paper shows the error rising with a mismatch, no AUROC; our 21 structures and regions are written from published data (examples/co-ni-cr-re), not the paper\'s own files',
  },
];

export function target(key: TargetKey): Target {
  const t = TARGETS.find((x) => x.key === key);
  if (!t) throw new Error(`no target ${key}`);
  return t;
}

export function goalText(goal: Goal): string {
  if (!goal) return 'reported';
  return 'atLeast' in goal ? `≥ ${goal.atLeast}` : `${goal.between[0]} ≤ x ≤ ${goal.between[1]}`;
}

/** Whether a value meets a goal; undefined when there is no goal or the value is not a number. */
export function meetsGoal(goal: Goal, value: number): boolean | undefined {
  if (!goal || !Number.isFinite(value)) return undefined;
  return 'atLeast' in goal ? value >= goal.atLeast : value >= goal.between[0] && value <= goal.between[1];
}

/** The targets as a Markdown table: docs/reproduction.md's copy is this text (a unit test compares them). */
export function targetsMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| metric | target | paper | how we measure it | the paper\'s measure? |',
    '|---|---|---|---|---|',
    ...TARGETS.map((t) => `| \`${t.key}\` | ${cell(goalText(t.goal))} | ${cell(t.paper)} | ${cell(t.measure)} | ${t.paperMeasure === true ? 'yes' : cell(`no: ${t.paperMeasure}`)} |`),
  ].join('\n');
}
