// Every reader against random numbers (issue 11, Done when): well-formed files of every format
// readPattern dispatches to (text columns, XRDML, BRML, Bruker RAW1.01/RAW4.00, Rigaku .ras/.asc,
// UXD, GSAS, each also gzip-compressed in several members), .xrd collections and .npy arrays,
// whose numbers are drawn from finite and non-finite values alike: NaN, ±Infinity, ±1e308,
// 1e-320, -0, four hundred digits, numbers a double cannot hold, and values that overflow when
// the file's own factors (attenuation, step × count, centidegrees) are applied. Each must give
// a pattern of finite numbers with 2θ strictly increasing and plausible wavelengths, or a
// UserError that says where — within the hang guard: every case is read in a worker thread.
// The damaged real files (truncations and byte flips of every fixture) are held to the same.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { outcomeProblem, ReaderWorker, type ReaderCase } from './readers-harness';
import { ascText, brmlBytes, gsasText, gzipMembers, makeRaw101, makeRaw4, npyBytes, rasText, uxdText, xrdmlText, xrdText, type TubeText } from '../unit/instrument-files';

const encode = (s: string) => new TextEncoder().encode(s);

/** The messages allowed to name the file as a whole: what no single line, byte or point causes. */
const WHOLE_FILE = /^(every point is at 2θ = .*; a pattern needs at least two angles|only one data point; a pattern needs at least two|no data lines \(expected)/;

// A fixed seed keeps a run reproducible; READERS_PROPERTY_SEED explores others.
const SEED = Number(process.env.READERS_PROPERTY_SEED ?? 11);
const RUNS = Number(process.env.READERS_PROPERTY_RUNS ?? 60);

const write = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

/** Numbers as files write them, and as no file should: every text a number field may hold. */
const SPECIAL_TEXT = [
  'NaN', 'nan', 'Inf', '-inf', 'Infinity', '1e309', '-1e309', '1e308', '-1e308', '1.7976931348623157e308', '-1.7976931348623157e308',
  '1e-320', '4.9e-324', '2.5e-308', '-0', '0', '1'.repeat(400), `-${'9'.repeat(400)}.5`, `0.${'0'.repeat(400)}1`, '1D+308', '1d400', '1e+999999999', '180', '-180', '180.0000001',
];
const numberText = fc.oneof(
  { weight: 5, arbitrary: fc.double({ min: -200, max: 200, noNaN: true }).map(write) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map(String) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_TEXT) },
  { weight: 2, arbitrary: fc.double().map(write) }, // any double: NaN, ±Infinity, subnormals, ±1.8e308
);
/** Doubles for binary headers and records. */
const anyDouble = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: -200, max: 200, noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e308, -1e308, 5e-324, -0, 0, 1e-300, 3.5e38, 1.5406) },
  { weight: 1, arbitrary: fc.double() },
);

/** A well-formed list, the same with one value replaced by any number text, or any number texts. */
function mostlyWellFormed(n: number, wellFormed: fc.Arbitrary<string[]>): fc.Arbitrary<string[]> {
  return fc.oneof(
    { weight: 3, arbitrary: wellFormed },
    { weight: 2, arbitrary: fc.tuple(wellFormed, fc.nat(n - 1), numberText).map(([a, k, v]) => a.map((x, i) => (i === k ? v : x))) },
    { weight: 1, arbitrary: fc.array(numberText, { minLength: n, maxLength: n }) },
  );
}
/** 2θ values: mostly an increasing scan. */
const anglesOf = (n: number) =>
  mostlyWellFormed(n, fc.tuple(fc.double({ min: -20, max: 100, noNaN: true }), fc.double({ min: 1e-3, max: 5, noNaN: true })).map(([start, step]) => Array.from({ length: n }, (_, i) => write(start + i * step))));
/** Counts, σ, attenuation factors: mostly counts as a detector gives them. */
const texts = (n: number) => mostlyWellFormed(n, fc.array(fc.integer({ min: 0, max: 100_000 }).map(String), { minLength: n, maxLength: n }));
/** A binary header's tube: as instruments write it, or any three doubles. */
const binaryTube = fc.oneof(fc.constant<[number, number, number]>([1.5406, 1.54439, 0.5]), fc.tuple(anyDouble, anyDouble, anyDouble));
/** A value a header may state: absent half of the time, else as instruments write it or any number text. */
const stated = (...usual: string[]) => fc.option(fc.oneof(numberText, fc.constantFrom(...usual)), { nil: undefined, freq: 2 });
const tubeText: fc.Arbitrary<TubeText> = fc.record({ alpha1: stated('1.5406', '0.70932'), alpha2: stated('1.54439', '0'), ratio: stated('0.5', '0') });
const points = fc.integer({ min: 2, max: 7 });
const pattern = (name: string, content: string | Uint8Array): ReaderCase => ({ kind: 'pattern', name, bytes: typeof content === 'string' ? encode(content) : content });

/** A well-formed file of each format, its numbers drawn as above. */
const FORMATS: Record<string, fc.Arbitrary<ReaderCase>> = {
  xy: points.chain((n) => fc.tuple(anglesOf(n), texts(n), fc.constantFrom(' ', '\t', ','))).map(([x, y, sep]) => pattern('p.xy', x.map((v, i) => `${v}${sep}${y[i]}`).join('\n'))),
  xye: points.chain((n) => fc.tuple(anglesOf(n), texts(n), texts(n))).map(([x, y, s]) => pattern('p.xye', `# 2theta I sigma\n${x.map((v, i) => `${v} ${y[i]} ${s[i]}`).join('\n')}\n`)),
  csv: points.chain((n) => fc.tuple(anglesOf(n), texts(n))).map(([x, y]) => pattern('p.csv', `2theta,counts\n${x.map((v, i) => `${v},${y[i]}`).join('\r\n')}`)),
  'xrdml (listPositions, attenuation)': points
    .chain((n) => fc.tuple(anglesOf(n), texts(n), fc.option(texts(n), { nil: undefined }), tubeText))
    .map(([angles, counts, attenuation, tube]) => pattern('p.xrdml', xrdmlText({ angles, counts, attenuation }, tube))),
  'xrdml (start and end positions)': points
    .chain((n) => fc.tuple(numberText, numberText, texts(n), tubeText))
    .map(([start, end, counts, tube]) => pattern('p.xrdml', xrdmlText({ start, end, counts }, tube))),
  brml: points
    .chain((n) => fc.tuple(anglesOf(n), texts(n), tubeText))
    .map(([x, y, tube]) => pattern('p.brml', brmlBytes(x.map((twoTheta, i) => ({ twoTheta, counts: y[i] })), tube))),
  'bruker raw1.01': points
    .chain((n) => fc.tuple(anyDouble, anyDouble, fc.array(anyDouble, { minLength: n, maxLength: n }), binaryTube))
    .map(([start, step, counts, tube]) => pattern('p.raw', makeRaw101([{ start, step, counts, supplementary: 0, recordSize: 4 }], tube))),
  'bruker raw4.00': points
    .chain((n) => fc.tuple(anyDouble, anyDouble, fc.array(anyDouble, { minLength: n, maxLength: n }), binaryTube))
    .map(([start, step, counts, tube]) => pattern('p.raw', makeRaw4({ start, step, counts }, tube))),
  'rigaku ras (attenuation)': points
    .chain((n) => fc.tuple(anglesOf(n), texts(n), texts(n), tubeText))
    .map(([x, y, a, tube]) => pattern('p.ras', rasText(x.map((v, i) => [v, y[i], a[i]]), tube))),
  'rigaku asc (start, step)': points.chain((n) => fc.tuple(numberText, numberText, texts(n), tubeText)).map(([start, step, counts, tube]) => pattern('p.asc', ascText(start, step, counts, tube))),
  'uxd (pairs)': points.chain((n) => fc.tuple(anglesOf(n), texts(n), tubeText)).map(([x, y, tube]) => pattern('p.uxd', uxdText({ pairs: x.map((v, i) => [v, y[i]]) }, tube))),
  'uxd (start, step)': points.chain((n) => fc.tuple(numberText, numberText, texts(n), tubeText)).map(([start, step, counts, tube]) => pattern('p.uxd', uxdText({ start, step, counts }, tube))),
  'gsas fxye (centidegrees)': points
    .chain((n) => fc.tuple(anglesOf(n), texts(n), texts(n), stated('1.5406')))
    .map(([x, y, s, wavelength]) => pattern('p.fxye', gsasText({ type: 'FXYE', rows: x.map((v, i) => [v, y[i], s[i]]) }, wavelength))),
  'gsas esd (start, step)': points
    .chain((n) => fc.tuple(numberText, numberText, texts(n), texts(n)))
    .map(([start, step, y, s]) => pattern('p.gsa', gsasText({ type: 'ESD', start, step, values: y.map((v, i) => [v, s[i]]) }))),
  '.xrd collection': points
    .chain((n) =>
      fc.tuple(
        anglesOf(n),
        fc.array(fc.record({ intensity: texts(n), composition: fc.option(fc.record({ Fe: numberText, Ga: numberText }), { nil: undefined }), x: fc.option(numberText, { nil: undefined }) }), { minLength: 1, maxLength: 3 }),
        stated('1.5406'),
      ),
    )
    .map(([twoTheta, samples, wavelength]): ReaderCase => ({ kind: 'collection', name: 'c.xrd', bytes: encode(xrdText({ twoTheta, samples, wavelength })) })),
  '.npy': fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }))
    .chain(([rows, columns]) => fc.tuple(fc.constant([rows, columns] as number[]), fc.array(anyDouble, { minLength: rows * columns, maxLength: rows * columns })))
    .map(([shape, data]): ReaderCase => ({ kind: 'npy', name: 'a.npy', bytes: npyBytes(shape, data) })),
};

/** Any text format gzip-compressed, in one member or several. */
const GZIPPED = ['xy', 'xye', 'xrdml (listPositions, attenuation)', 'rigaku ras (attenuation)', 'uxd (start, step)', 'gsas fxye (centidegrees)'];

describe('readers: random finite and non-finite numbers in well-formed files (fast-check, in a worker)', function () {
  this.timeout(10 * 60_000);
  const worker = new ReaderWorker();
  after(() => worker.close());

  async function check(c: ReaderCase): Promise<void> {
    const problem = outcomeProblem(c, await worker.read(c), WHOLE_FILE);
    if (problem) throw new Error(`${c.name}: ${problem}\n--- the file (first 600 bytes) ---\n${new TextDecoder('latin1').decode(c.bytes.subarray(0, 600))}`);
  }

  for (const [format, arbitrary] of Object.entries(FORMATS)) {
    it(`${format}: a pattern of finite numbers or a located UserError`, async () => {
      await fc.assert(fc.asyncProperty(arbitrary, check), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    });
  }

  for (const format of GZIPPED) {
    it(`${format}, gzip-compressed in one or more members: the same`, async () => {
      const gzipped = fc.tuple(FORMATS[format], fc.array(fc.nat(400), { maxLength: 3 })).map(([c, cuts]) => ({ ...c, name: `${c.name}.gz`, bytes: gzipMembers(c.bytes, cuts) }));
      await fc.assert(fc.asyncProperty(gzipped, check), { seed: SEED, numRuns: Math.ceil(RUNS / 2), endOnFailure: true });
    });
  }

  it('every format above was generated well-formed: a file of plain numbers reads', async () => {
    // The generators must be able to produce files that read; otherwise the properties above test only errors.
    for (const [format, arbitrary] of Object.entries(FORMATS)) {
      let read = 0;
      for (const c of fc.sample(arbitrary, { seed: SEED, numRuns: 200 })) {
        const r = await worker.read(c);
        if (r.outcome === 'read') read++;
      }
      assert.ok(read > 0, `${format}: none of 200 generated files read`);
    }
  });
});

describe('readers: damaged real files (truncations and byte flips), in a worker', function () {
  this.timeout(10 * 60_000);
  const worker = new ReaderWorker();
  after(() => worker.close());
  const dir = join(__dirname, '../../../test/fixtures/instrument-formats');
  for (const name of readdirSync(dir).filter((f) => f !== 'SOURCE.md')) {
    it(`${name}: a pattern of finite numbers or a located UserError`, async () => {
      const bytes = new Uint8Array(readFileSync(join(dir, name)));
      const damaged = fc.oneof(
        fc.nat({ max: bytes.length }).map((cut) => bytes.subarray(0, cut)),
        fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
          const copy = Uint8Array.from(bytes);
          for (const [at, value] of flips) copy[at] = value;
          return copy;
        }),
      );
      await fc.assert(
        fc.asyncProperty(damaged, async (b) => {
          const c: ReaderCase = { kind: 'pattern', name, bytes: b };
          const problem = outcomeProblem(c, await worker.read(c), DAMAGED_WHOLE_FILE);
          if (problem) throw new Error(problem);
        }),
        { seed: SEED, numRuns: 30, endOnFailure: true },
      );
    });
  }
});

/** What a damaged file may say about itself as a whole: its kind, its compression, its size. */
const DAMAGED_WHOLE_FILE = new RegExp(
  [
    WHOLE_FILE.source.slice(1),
    '^not (gzip|XML|a zip|a Rigaku|a UXD|a GSAS)',
    '^the gzip data is damaged or cut off',
    '^a binary file',
    '^a zip archive',
    '^a Bruker RAW file',
    '^no (Experiment|\\*RAS_INT_START|\\*BEGIN|data block|BANK line)',
    '^XML \\(starts with',
    '^inflates to more than',
  ].join('|'),
);
