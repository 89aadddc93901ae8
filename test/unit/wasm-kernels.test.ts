// The WebAssembly kernels' bytes pinned: every module validates, and each is byte for byte the
// module the previous hand-written encoding produced, so rewriting the encoder cannot change them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { adamModuleBytes, errorSumsModuleBytes, gemmModuleBytes, transposeModuleBytes } from '../../src/core/model/wasm-kernels';
import { BCE_EPSILON } from '../../src/core/analysis/errors';

const validate = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly.validate;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// SHA-256 and length of each module as built by the raw-byte encoding at commit bb70ffd
// (before opcodes, locals and labels were named), errorSums with ε = BCE_EPSILON = 1e-7.
const PINNED: { name: string; bytes: () => Uint8Array; length: number; sha256: string }[] = [
  { name: 'adam', bytes: adamModuleBytes, length: 561, sha256: '1d0beb9f679c4cad86b1cf3cd3ecb0a7c467fe5eef2b0fcf172cddb883725ed0' },
  { name: 'transpose', bytes: transposeModuleBytes, length: 448, sha256: '09a138fb73ff53647bec83fa7f0d20c9c465497fa2e1d2be38eaf66f77c8b335' },
  { name: 'errorSums', bytes: () => errorSumsModuleBytes(BCE_EPSILON), length: 1453, sha256: 'b7ceeb75afb34c7a4e36da7170d28962a9c5d67c7f9ca16f48d0a17ed4c31c25' },
  { name: 'gemm', bytes: gemmModuleBytes, length: 895, sha256: '97b07c7ff2da0607ae6cd41104471f0329fb1660c50e8e57988c2f7ef161f346' },
];

describe('WebAssembly kernels', () => {
  for (const kernel of PINNED) {
    it(`${kernel.name}: a valid module, byte for byte the one the hand-written encoding built`, () => {
      const bytes = kernel.bytes();
      assert.ok(validate(bytes), `${kernel.name} validates`);
      assert.equal(bytes.length, kernel.length);
      assert.equal(sha256(bytes), kernel.sha256);
    });
  }
});
