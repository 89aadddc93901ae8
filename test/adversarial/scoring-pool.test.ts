// Scoring on every core (src/worker/scoring-pool.ts): a request of many files is shared out
// among scoring workers, the results come back in the order of the files, a file that kills its
// worker costs that file only, and the scores are those one worker gives.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '../../src/core/model/manifest';
import { TEST_CRASH_FILE_VARIABLE, type ScoringSettings } from '../../src/protocol/scoring';
import { ScoringPool } from '../../src/worker/scoring-pool';
import { untrainedModel } from './helpers';
import { HOSTILE_XY, xy } from './extension-fixtures';

describe('the scoring pool (every core)', function () {
  this.timeout(180_000);
  let dir: string;
  let settings: ScoringSettings;
  const pools: ScoringPool[] = [];
  const pool = (threads: number) => {
    const p = new ScoringPool(threads, { timeLimitSeconds: () => 20 });
    pools.push(p);
    return p;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-scoring-pool-'));
    const modelDir = await untrainedModel(join(dir, 'model'));
    settings = { model: { dir: modelDir, created: readManifest(modelDir).created, name: 'model', backend: 'wasm' }, preprocessing: {} };
  });
  afterEach(() => pools.splice(0).forEach((p) => p.dispose()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('scores many files on 2 threads in the order given, as one thread does; a hostile file and a worker-killing one cost only themselves', async () => {
    const previous = process.env[TEST_CRASH_FILE_VARIABLE];
    process.env[TEST_CRASH_FILE_VARIABLE] = 'crash.xy';
    try {
      const items = Array.from({ length: 40 }, (_, i) => {
        const name = i === 7 ? 'crash.xy' : i === 23 ? 'p.xy' : `f-${i}.xy`;
        writeFileSync(join(dir, name), i === 23 ? HOSTILE_XY : xy(150 + 10 * i, i + 1));
        return { kind: 'file' as const, path: join(dir, name), name };
      });
      const many = await pool(2).score(items, settings, 6);
      const one = await pool(1).score(items, settings, 6);
      assert.equal(many.length, items.length);
      items.forEach((item, i) => {
        if (item.name === 'crash.xy') {
          assert.match(many[i].error ?? '', /^crash\.xy: not scored: the scoring worker stopped while working on it/);
          return;
        }
        if (item.name === 'p.xy') {
          assert.equal(many[i].score, undefined);
          assert.match(many[i].error ?? '', /^p\.xy[:]/);
          return;
        }
        assert.ok(many[i].score, `${item.name}: ${JSON.stringify(many[i])}`);
        assert.equal(many[i].score!.nearestPhase, one[i].score!.nearestPhase, item.name);
        assert.ok(Math.abs(many[i].score!.bce - one[i].score!.bce) <= 1e-6 * Math.abs(one[i].score!.bce), `${item.name}: ${many[i].score!.bce} vs ${one[i].score!.bce}`);
        assert.deepEqual(many[i].steps, one[i].steps);
      });
    } finally {
      if (previous === undefined) delete process.env[TEST_CRASH_FILE_VARIABLE];
      else process.env[TEST_CRASH_FILE_VARIABLE] = previous;
    }
  });
});
