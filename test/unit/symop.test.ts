import assert from 'node:assert/strict';
import { parseSymmetryOperation, composeOperations, formatSymmetryOperation } from '../../src/core/crystal/symop';

describe('symmetry operation parsing', () => {
  it('reads the spellings CIFs use', () => {
    const cases: Array<[string, number[], number[]]> = [
      ['x,y,z', [1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0]],
      ["1/2-x, y+1/2, -z", [-1, 0, 0, 0, 1, 0, 0, 0, -1], [0.5, 0.5, 0]],
      ['x-y,x,z+.5', [1, -1, 0, 1, 0, 0, 0, 0, 1], [0, 0, 0.5]],
      ['-X+Y, Z, 0.25+Y', [-1, 1, 0, 0, 0, 1, 0, 1, 0], [0, 0, 0.25]],
      ['+x, -y+3/4, z-1/4', [1, 0, 0, 0, -1, 0, 0, 0, 1], [0, 0.75, 0.75]],
      // Spellings met in real files: SHELX-style padding, 0.5 decimals, tabs, translations first.
      ['   -x,   +y,1/2-z', [-1, 0, 0, 0, 1, 0, 0, 0, -1], [0, 0, 0.5]],
      ['x+0.5,\ty-0.5, z+1', [1, 0, 0, 0, 1, 0, 0, 0, 1], [0.5, 0.5, 0]],
      ['1/3+x-y, 2/3-y, -z+1/6', [1, -1, 0, 0, -1, 0, 0, 0, -1], [1 / 3, 2 / 3, 1 / 6].map((t) => Math.round(t * 1e9) / 1e9)],
    ];
    for (const [text, rot, trans] of cases) {
      const r = parseSymmetryOperation(text);
      assert.ok(r.ok, text);
      assert.deepEqual(r.operation.rotation, rot, text);
      assert.deepEqual(r.operation.translation.map((t) => Math.round(t * 1e9) / 1e9), trans, text);
    }
  });
  it('rejects malformed operations with an offset', () => {
    for (const text of ['x,y', 'x,y,z,x', 'x,q,z', 'x,,z']) {
      const r = parseSymmetryOperation(text);
      assert.equal(r.ok, false, text);
    }
  });
  it('composes and formats', () => {
    const a = parseSymmetryOperation('-y,x-y,z+1/3');
    assert.ok(a.ok);
    const a2 = composeOperations(a.operation, a.operation);
    const a3 = composeOperations(a.operation, a2);
    assert.equal(formatSymmetryOperation(a2), '-x+y,-x,z+2/3');
    assert.equal(formatSymmetryOperation(a3), 'x,y,z');
  });
});
