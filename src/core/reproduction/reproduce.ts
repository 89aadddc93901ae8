// `latent-xrd reproduce` from start to end, apart from parsing and printing: the report folder
// claimed, the study run (study.ts), its report made (summary.ts) and written with both models'
// figures (report/paper-report.ts). The caller supplies how a dataset is generated and a model
// trained (worker threads, progress lines) and prints the report it returns.
import { join } from 'node:path';
import { claimReportFolder, writePaperReport, writeReportMetrics } from '../report/paper-report';
import type { BackendPreference } from '../model/backend-preference';
import { runStudy, type StudyDeps } from './study';
import { studyReport, type StudyReport } from './summary';
import { STUDY_MODELS } from './protocol';

export interface ReproductionOptions {
  /** The report folder: new, or one a previous run wrote (refused otherwise). */
  out: string;
  /** The installation's examples folder: paper-demo (the paper's phases) and co-ni-cr-re (the composition experiment). */
  examples: string;
  quick: boolean;
  seeds: number;
  backend: BackendPreference;
}

export async function reproduce(deps: StudyDeps, options: ReproductionOptions): Promise<{ report: StudyReport; files: string[] }> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  claimReportFolder(options.out);
  const study = await runStudy(deps, {
    out: options.out,
    examples: join(options.examples, 'paper-demo'),
    compositionStructures: join(options.examples, 'co-ni-cr-re'),
    quick: options.quick,
    seeds: options.seeds,
    backend: options.backend,
  });
  const report = studyReport(study, seconds());
  const files = [writeReportMetrics(options.out, report.json)];
  for (const m of STUDY_MODELS) {
    const firstRun = study.runs[m.key][0];
    files.push(...writePaperReport(options.out, { evaluation: study.figures[m.key], phaseNames: study.phaseNames, knownPhases: study.knownPhases, mixtureCurves: firstRun.mixtureCurves, prefix: m.filePrefix, title: m.title }));
  }
  deps.log(`wrote ${files.join(', ')} and the first seed's models, data/ to ${options.out} in ${seconds() | 0} s`);
  return { report, files };
}
