// The CIF language support diagnoses as you type. A CIF whose structure has a million atom images
// (5,000 general sites of a cubic group) takes seconds to build: it is built in the preview
// worker, and the thread that asked (the extension host) keeps turning meanwhile. A worker that
// dies fails its request, and the next request gets a fresh one.
import assert from 'node:assert/strict';
import { readStructures } from '../../src/core/crystal/structure';
import { Worker } from 'node:worker_threads';
import { PreviewWorker, workerScript } from '../../src/worker/host';
import { assertKeptTurning, ticking } from './extension-fixtures';

function heavyCif(sites: number): string {
  const lines = ['data_heavy', '_cell_length_a 50', '_cell_length_b 50', '_cell_length_c 50', '_cell_angle_alpha 90', '_cell_angle_beta 90', '_cell_angle_gamma 90', "_space_group_name_H-M_alt 'F m -3 m'"];
  lines.push('loop_', '_atom_site_label', '_atom_site_type_symbol', '_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z');
  // Deterministic general positions (no symmetry element maps one onto itself).
  for (let i = 0; i < sites; i++) lines.push(`C${i} C ${((i * 0.6180339887) % 1).toFixed(5)} ${((i * 0.4142135623 + 0.013) % 1).toFixed(5)} ${((i * 0.7320508075 + 0.029) % 1).toFixed(5)}`);
  // And one mistake to report, so the answer is checked, not only its timing.
  lines.push('_cell_measurement_temperature 1.2.3');
  return lines.join('\n') + '\n';
}

describe('CIF diagnostics off the extension host', function () {
  this.timeout(120_000);
  const worker = new PreviewWorker();
  after(() => worker.dispose());

  it('diagnoses a CIF of ~10⁶ atom images in the worker: the same diagnostics as the engine, the asking thread ticking throughout', async () => {
    const text = heavyCif(5000);
    const { value: diagnostics, ticks, seconds } = await ticking(() => worker.diagnose(text));
    assert.deepEqual(diagnostics, readStructures(text).diagnostics);
    // A blocked thread ticks once at the end; a free one every 20 ms (half of that on a busy machine).
    assertKeptTurning(ticks, seconds);
  });

  it('a CIF that takes longer than the time limit is stopped with the reason, and the next request is answered by a fresh worker', async () => {
    // ~10⁶ atom images take seconds to build; a limit of 50 ms stands in for a CIF that never finishes.
    let limit = 0.05;
    const limited = new PreviewWorker(() => limit);
    try {
      await assert.rejects(limited.diagnose(heavyCif(5000)), /the CIF took longer than 0\.05 s to preview and was stopped/);
      limit = 60;
      assert.deepEqual(await limited.diagnose('data_x\n_cell_length_a 3\n'), readStructures('data_x\n_cell_length_a 3\n').diagnostics);
    } finally {
      limited.dispose();
    }
  });

  it('a worker that dies fails the request, and the next request is answered by a fresh worker', async () => {
    let thread: Worker | undefined;
    const dying = new PreviewWorker(undefined, () => (thread = new Worker(workerScript('preview-worker'))));
    try {
      const asked = dying.diagnose('data_x\n_cell_length_a 3\n');
      // Terminating it stands in for a crash (out of memory) mid-request.
      void thread!.terminate();
      await assert.rejects(asked, /the CIF preview worker stopped/);
      const again = await dying.diagnose('data_x\n_cell_length_a 3\n');
      assert.ok(Array.isArray(again));
    } finally {
      dying.dispose();
    }
  });
});
