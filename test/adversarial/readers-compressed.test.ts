// Compressed patterns (issue 11, Major 6 and 7, Keep): gzip and zip (.brml) members are inflated
// no further than a pattern file can be, refused when their CRC-32 or length does not match the
// data, and read whole when a gzip has several members. Bombs are generated here, not committed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';
import { readPattern } from '../../src/core/formats';
import { MAX_PATTERN_BYTES } from '../../src/core/formats/limits';
import { crc32 } from '../../src/core/formats/zip';
import { UserError } from '../../src/core/diagnostics';
import { brmlBytes, concat, gzipMembers } from '../unit/instrument-files';

const bytes = (s: string) => new TextEncoder().encode(s);
const fixture = (name: string) => new Uint8Array(readFileSync(join(__dirname, '../../../test/fixtures/instrument-formats', name)));
function refused(name: string, content: Uint8Array, message: RegExp) {
  assert.throws(
    () => readPattern(content, name),
    (e: unknown) => {
      assert.ok(e instanceof UserError, `not a UserError: ${(e as Error)?.stack ?? e}`);
      assert.match(e.message, message);
      return true;
    },
  );
}

/** A zip of one member written by hand, so that its directory can say what the data does not. */
function zipOf(member: { name: string; data: Uint8Array; method: 0 | 8; crc: number; size: number }): Uint8Array {
  const name = bytes(member.name);
  const local = new Uint8Array(30 + name.length);
  const l = new DataView(local.buffer);
  l.setUint32(0, 0x04034b50, true);
  l.setUint16(4, 20, true);
  l.setUint16(8, member.method, true);
  l.setUint32(14, member.crc, true);
  l.setUint32(18, member.data.length, true);
  l.setUint32(22, member.size, true);
  l.setUint16(26, name.length, true);
  local.set(name, 30);
  const entry = new Uint8Array(46 + name.length);
  const c = new DataView(entry.buffer);
  c.setUint32(0, 0x02014b50, true);
  c.setUint16(4, 20, true);
  c.setUint16(6, 20, true);
  c.setUint16(10, member.method, true);
  c.setUint32(16, member.crc, true);
  c.setUint32(20, member.data.length, true);
  c.setUint32(24, member.size, true);
  c.setUint16(28, name.length, true);
  c.setUint32(42, 0, true);
  entry.set(name, 46);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, 1, true);
  e.setUint16(10, 1, true);
  e.setUint32(12, entry.length, true);
  e.setUint32(16, local.length + member.data.length, true);
  return concat([local, member.data, entry, end]);
}

const RAW_DATA = 'Experiment0/RawData0.xml';

describe('readers: decompression is bounded', () => {
  // One byte more than a pattern file may be, as spaces: deflate packs it a thousand to one.
  let spaces: Uint8Array;
  before(() => {
    spaces = new Uint8Array(MAX_PATTERN_BYTES + 1).fill(0x20);
  });
  after(() => {
    spaces = new Uint8Array(0);
  });

  it('a small .xy.gz that inflates past the limit is refused with a message, inflation stopped there', () => {
    const bomb = gzipSync(spaces, { level: 9 });
    assert.ok(bomb.length < MAX_PATTERN_BYTES / 500, `${bomb.length} bytes`);
    refused('bomb.xy.gz', bomb, /^bomb\.xy\.gz: inflates to more than 128 MB, more than any pattern file \(1,000,000 points at most\); not read$/);
    // The same in members of 16 MB each (concatenated gzip): the limit is on the whole.
    const member = gzipSync(spaces.subarray(0, 16_000_000), { level: 9 });
    refused('members.xy.gz', concat(Array.from({ length: 9 }, () => member)), /^members\.xy\.gz: inflates to more than 128 MB/);
  });

  it('a .brml member that declares more than the limit is refused before it is inflated', () => {
    const deflated = deflateRawSync(spaces, { level: 9 });
    const declared = zipOf({ name: RAW_DATA, data: deflated, method: 8, crc: 0, size: spaces.length });
    refused('declared.brml', declared, /^declared\.brml: byte \d+: member Experiment0\/RawData0\.xml: declares 128000001 bytes, which brings the members read to more than 128 MB/);
  });

  it('a .brml member that inflates past the size its directory declares is refused as it passes it', () => {
    const deflated = deflateRawSync(spaces, { level: 9 });
    const lying = zipOf({ name: RAW_DATA, data: deflated, method: 8, crc: 0, size: 1000 });
    refused('lying.brml', lying, /^lying\.brml: byte \d+: member Experiment0\/RawData0\.xml: inflates to more than the 1000 bytes the directory declares; the archive is damaged$/);
  });
});

describe('readers: damaged compressed files are errors, not short patterns', () => {
  const xy = bytes('10 1\n11 2\n12 3\n13 4\n');

  it('gzip: a CRC-32 or a length (ISIZE) that does not match the data', () => {
    const gz = gzipSync(xy);
    const crc = Uint8Array.from(gz);
    crc[crc.length - 8] ^= 0xff;
    refused('crc.xy.gz', crc, /^crc\.xy\.gz: the gzip data is damaged or cut off: the data's CRC-32 does not match the one stored with it$/);
    const length = Uint8Array.from(gz);
    length[length.length - 4] -= 1;
    refused('isize.xy.gz', length, /^isize\.xy\.gz: the gzip data is damaged or cut off: the data is not as long as the length stored with it \(ISIZE\)$/);
  });

  it('gzip: cut off inside the data or inside its trailer, or followed by what is not gzip', () => {
    const gz = gzipSync(bytes(Array.from({ length: 200 }, (_, i) => `${10 + i / 10} ${i}`).join('\n')));
    for (const cut of [gz.length - 4, gz.length - 8, Math.floor(gz.length / 2)]) refused('cut.xy.gz', gz.subarray(0, cut), /^cut\.xy\.gz: the gzip data is damaged or cut off: the file ends inside the compressed data$/);
    refused('tail.xy.gz', concat([gz, bytes('not gzip')]), /^tail\.xy\.gz: the gzip data is damaged or cut off: bytes that are not gzip follow the compressed data$/);
  });

  it('gzip: a file of several members (cat a.gz b.gz) is read whole', () => {
    const p = readPattern(gzipMembers(xy, [5, 10]), 'members.xy.gz');
    assert.deepEqual(Array.from(p.twoTheta), [10, 11, 12, 13]);
    assert.equal(p.meta?.compressed, 'gzip');
  });

  it('.brml: a member whose CRC-32 does not match its directory entry (a real file, one byte of its directory changed)', () => {
    const brml = fixture('IKZ-Berlin-Si-substrate-2theta-omega-44-48deg.brml');
    assert.equal(readPattern(brml, 'ikz.brml').twoTheta.length, 2001);
    const view = new DataView(brml.buffer, brml.byteOffset);
    // The directory entry of Experiment0/RawData0.xml: find it by name after the 46-byte header.
    let entry = -1;
    for (let at = brml.length - 22; at >= 0 && entry < 0; at--) {
      if (view.getUint32(at, true) === 0x02014b50 && new TextDecoder().decode(brml.subarray(at + 46, at + 46 + view.getUint16(at + 28, true))) === RAW_DATA) entry = at;
    }
    assert.ok(entry > 0);
    const damaged = Uint8Array.from(brml);
    damaged[entry + 16] ^= 0x01;
    refused('ikz.brml', damaged, /^ikz\.brml: byte \d+: member Experiment0\/RawData0\.xml: its CRC-32 does not match the directory's \([0-9a-f]{8}\); the archive is damaged$/);
  });

  it('.brml: an archive cut off, a member stored (not deflated) with the wrong size, and a stored one that reads', () => {
    const brml = brmlBytes([{ twoTheta: '10', counts: '1' }, { twoTheta: '11', counts: '2' }]);
    refused('cut.brml', brml.subarray(0, brml.length - 30), /^cut\.brml: byte \d+: (no zip directory|the archive ends inside)/);
    const xml = strToU8('<RawData><DataRoutes><DataRoute RouteFlag="Measured"><Datum>1,1,10,0,5</Datum><Datum>1,1,11,0,6</Datum></DataRoute></DataRoutes></RawData>');
    refused('stored.brml', zipOf({ name: RAW_DATA, data: xml, method: 0, crc: crc32(xml), size: xml.length + 1 }), /^stored\.brml: byte \d+: member Experiment0\/RawData0\.xml: stored with \d+ bytes, the directory says \d+/);
    assert.deepEqual(Array.from(readPattern(zipOf({ name: RAW_DATA, data: xml, method: 0, crc: crc32(xml), size: xml.length }), 'stored.brml').intensity), [5, 6]);
  });

  it('crc32 is the CRC-32 of zip and gzip', () => {
    assert.equal(crc32(bytes('123456789')), 0xcbf43926); // the check value of CRC-32/ISO-HDLC
    const gz = gzipSync(bytes('some pattern text'));
    assert.equal(crc32(bytes('some pattern text')), new DataView(gz.buffer, gz.byteOffset).getUint32(gz.length - 8, true));
  });
});

describe('readers: BRML zip-slip (kept)', () => {
  it('member names that climb out of the archive are only names: the data is read, nothing is written', () => {
    const target = join(tmpdir(), `latent-xrd-zip-slip-${process.pid}`);
    const xml = strToU8('<RawData><DataRoutes><DataRoute RouteFlag="Measured"><Datum>1,1,10,0,5</Datum><Datum>1,1,11,0,6</Datum></DataRoute></DataRoutes></RawData>');
    for (const name of [`../../../../../../..${target}/Experiment0/RawData0.xml`, `${target}/RawData0.xml`]) {
      const p = readPattern(zipSync({ [name]: xml }), 'slip.brml');
      assert.deepEqual(Array.from(p.intensity), [5, 6]);
      assert.ok(!existsSync(target), `${target} was written`);
    }
  });
});
