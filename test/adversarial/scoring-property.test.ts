// Property: whatever numbers a measured pattern holds (NaN, ±Infinity, ±1e308, denormals, a
// constant, 1–3 points, all outside the range, repeated or unordered 2θ, impossible wavelengths
// and Kα2 ratios), scoring it gives a score whose numbers are all finite, or a UserError that says
// where the problem is, and it ends. The engine runs in a worker under the hang guard; a few
// generated files also go through `latent-xrd score` as its own process.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { initBackend } from '../../src/core/model/backend';
import { loadModel } from '../../src/core/model/store';
import { Scorer } from '../../src/core/model/score';
import { BACKGROUND_METHODS, type PreprocessOptions } from '../../src/core/preprocess/prepare';
import type { MeasuredPattern } from '../../src/core/formats/pattern';
import { UserError } from '../../src/core/diagnostics';
import { nonFiniteScoreNumber } from '../../src/core/analysis/verdict';
import { describeRun, runCliProcess, untrainedModel } from './helpers';
import { inWorker, serveProbe } from './scoring-guard';

/**
 * Where a refusal says the problem is: a point of the pattern, the model's 2θ range and grid, or
 * the stated number (wavelength, Kα2 ratio) that is wrong.
 */
const LOCATED = /^point \d+ of \d+|\d+ 2θ values but \d+ intensities|model's 2θ range|of the model's grid points|the wavelength the file states|the Kα2 wavelength the file states|the Kα2\/Kα1 ratio the file states/;

const SPECIAL = [NaN, Infinity, -Infinity, 1e308, -1e308, Number.MAX_VALUE, 5e-324, -5e-324, 2.2e-308, 0, -0] as const;
const special = fc.constantFrom(...SPECIAL);
const anyNumber = fc.oneof(fc.double(), special);
const angle = fc.oneof({ arbitrary: fc.double({ min: 0, max: 180, noNaN: true }), weight: 4 }, { arbitrary: fc.double({ min: 20, max: 90, noNaN: true }), weight: 4 }, { arbitrary: anyNumber, weight: 1 });

/** 2θ axes of every kind the property should meet. */
const axis = fc.integer({ min: 0, max: 240 }).chain((n) =>
  fc.oneof(
    { arbitrary: fc.array(fc.double({ min: 15, max: 95, noNaN: true }), { minLength: n, maxLength: n }).map((a) => a.sort((x, y) => x - y)), weight: 6 },
    { arbitrary: fc.array(angle, { minLength: n, maxLength: n }).map((a) => a.sort((x, y) => x - y)), weight: 2 },
    { arbitrary: fc.array(angle, { minLength: n, maxLength: n }), weight: 1 },
    { arbitrary: fc.tuple(angle, fc.constant(n)).map(([a, k]) => new Array<number>(k).fill(a)), weight: 1 },
    { arbitrary: fc.tuple(fc.double({ min: 90.5, max: 180, noNaN: true }), fc.constant(n)).map(([a, k]) => Array.from({ length: k }, (_, i) => a + ((180 - a) * i) / Math.max(1, k))), weight: 1 },
    { arbitrary: fc.tuple(fc.double({ min: 0, max: 80, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true }), fc.constant(n)).map(([a, s, k]) => Array.from({ length: k }, (_, i) => a + s * Math.floor(i / 2))), weight: 2 },
    { arbitrary: fc.array(fc.double({ min: 20, max: 90, noNaN: true }), { minLength: 1, maxLength: 3 }).map((a) => a.sort((x, y) => x - y)), weight: 1 },
  ),
);

/** Intensities: ordinary counts, any finite double (±1e308 and denormals among them), with non-finite or special values mixed in, or one value throughout. */
const intensities = (n: number) =>
  fc.oneof(
    { arbitrary: fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { minLength: n, maxLength: n }), weight: 4 },
    { arbitrary: fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n }), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom(1e308, -1e308, 5e-324, 1e-310), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n })).map(([scale, a]) => a.map((v) => v * scale)), weight: 2 },
    { arbitrary: fc.array(fc.oneof({ arbitrary: fc.double({ min: 0, max: 1e5, noNaN: true }), weight: 20 }, { arbitrary: special, weight: 1 }), { minLength: n, maxLength: n }), weight: 1 },
    { arbitrary: anyNumber.map((v) => new Array<number>(n).fill(v)), weight: 1 },
  );

const stated = (usual: fc.Arbitrary<number>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: usual, weight: 3 }, { arbitrary: anyNumber, weight: 1 });

const measured = axis.chain((twoTheta) =>
  fc.record({
    twoTheta: fc.constant(twoTheta),
    intensity: intensities(twoTheta.length),
    wavelength: stated(fc.constantFrom(1.540562, 0.70932, 1.78897, 0, -1.5, 1e-300)),
    wavelength2: stated(fc.constantFrom(1.54439, 0.71359, 1e-300)),
    kAlpha2Ratio: stated(fc.constantFrom(0, 0.5, 1, 50, -0.5)),
    background: fc.constantFrom(...BACKGROUND_METHODS),
    stripKAlpha2: fc.boolean(),
  }),
);

type Case = { twoTheta: number[]; intensity: number[]; wavelength?: number; wavelength2?: number; kAlpha2Ratio?: number; background: PreprocessOptions['background']; stripKAlpha2: boolean };

function patternOf(c: Case): MeasuredPattern {
  return { twoTheta: Float64Array.from(c.twoTheta), intensity: Float64Array.from(c.intensity), wavelength: c.wavelength, wavelength2: c.wavelength2, kAlpha2Ratio: c.kAlpha2Ratio };
}

const probes = {
  property: async ({ dir, numRuns, seed }: { dir: string; numRuns: number; seed: number }) => {
    await initBackend('wasm');
    const scorer = new Scorer(await loadModel(dir));
    const outcomes = { scored: 0, refused: 0 };
    const details = fc.check(
      fc.property(measured, (c) => {
        let result;
        try {
          result = scorer.scoreMeasured(patternOf(c), { background: c.background, stripKAlpha2: c.stripKAlpha2 });
        } catch (e) {
          if (e instanceof UserError && LOCATED.test(e.message)) {
            outcomes.refused++;
            return true;
          }
          throw new Error(`not a located refusal: ${(e as Error).name}: ${(e as Error).message}`);
        }
        const { score, prepared } = result;
        const bad = nonFiniteScoreNumber(score);
        if (bad) throw new Error(`a score with ${bad}`);
        if (!['known', 'novel', 'outside-range'].includes(score.verdict)) throw new Error(`verdict ${score.verdict}`);
        // Below half of the model's range measured there is no KNOWN or NOVEL (core/analysis/verdict.ts).
        if ((score.verdict === 'outside-range') !== prepared.coverage < 0.5) throw new Error(`verdict ${score.verdict} at coverage ${prepared.coverage}`);
        if (!prepared.pattern.every((v) => v >= 0 && v <= 1)) throw new Error('a prepared value outside [0, 1]');
        if (!Number.isFinite(prepared.coverage)) throw new Error(`coverage ${prepared.coverage}`);
        outcomes.scored++;
        return true;
      }),
      { numRuns, seed },
    );
    return { failed: details.failed, report: details.failed ? fc.defaultReportMessage(details) : undefined, outcomes };
  },
};

if (!serveProbe(probes)) {
  describe('scoring adversarial: property — random measured patterns give finite scores or located errors', function () {
    this.timeout(300_000);
    let dir: string;
    let model: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'latent-xrd-property-'));
      model = await untrainedModel(join(dir, 'model'));
    });

    it('preprocessing + Scorer on an untrained model, 600 random patterns, within the hang guard', async () => {
      const r = await inWorker(__filename, 'property', { dir: model, numRuns: 600, seed: 20251202 });
      assert.equal(r.hung, false, 'a generated pattern made scoring spin');
      assert.equal(r.error, undefined, r.error);
      const { failed, report, outcomes } = r.result as { failed: boolean; report?: string; outcomes: { scored: number; refused: number } };
      assert.equal(failed, false, report);
      // Both sides of the property are exercised, not just refusals.
      assert.ok(outcomes.scored > 50 && outcomes.refused > 50, JSON.stringify(outcomes));
    });

    it('the same kinds of pattern as .xy files through latent-xrd score: finite scores or errors, one process, rc 0 or 1', async () => {
      const cases = fc.sample(measured, { numRuns: 24, seed: 7 }) as Case[];
      const files = cases.map((c, i) => {
        const name = `case-${i}.xy`;
        writeFileSync(join(dir, name), c.twoTheta.map((t, k) => `${t} ${c.intensity[k]}`).join('\n') + '\n');
        return name;
      });
      const r = await runCliProcess(['score', '--model', model, ...files, '--json'], { cwd: dir });
      assert.equal(r.hung, false, describeRun(r));
      assert.ok(r.code === 0 || r.code === 1, describeRun(r));
      assert.doesNotMatch(r.stderr, /internal error/);
      const results = JSON.parse(r.stdout).results as Record<string, any>[];
      assert.equal(results.length, files.length);
      for (const x of results) {
        if (x.error) {
          assert.equal(x.verdict, undefined);
          assert.match(x.error, /\S/);
          continue;
        }
        assert.equal(nonFiniteScoreNumber(x as never), undefined, JSON.stringify(x).slice(0, 400));
        assert.ok(['known', 'novel', 'outside-range'].includes(x.verdict));
        assert.equal(x.verdict === 'outside-range', x.coverage < 0.5, JSON.stringify(x).slice(0, 400));
      }
    });
  });
}
