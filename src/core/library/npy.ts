// NumPy `.npy` arrays (format versions 1–3), numeric dtypes in C order: enough to read the
// matrices materials-library datasets are published as. A focused reader rather than a
// dependency: the format is one header and raw little- or big-endian values
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html), and the npm
// readers either pull in fetch-based loaders or are unmaintained.
import { UserError } from '../diagnostics';
import { errorAtByte, quoteForMessage } from '../formats/located';
import { MAX_LIBRARY_VALUES } from '../formats/limits';

export interface NpyArray {
  shape: number[];
  /** Every value as a double, in C (row-major) order. */
  data: Float64Array;
  /** The NumPy dtype descriptor as the file states it, e.g. "<f8". */
  dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Reads an array; every inconsistency between magic, header, shape, dtype and the bytes that
 * follow is an error at its byte, and so is a value that is not a finite number (NaN, ±Inf):
 * what a reader passes on is a number. Arrays past MAX_LIBRARY_VALUES are refused from the
 * header, before anything is allocated.
 */
export function readNpy(bytes: Uint8Array, file = 'array.npy'): NpyArray {
  const fail = (offset: number, message: string): never => {
    throw errorAtByte(file, offset, message);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail(0, 'not a NumPy .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail(bytes.length, 'the file ends inside the header length');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else return fail(6, `.npy format version ${major} is not supported (1–3 are)`);
  if (headerStart + headerLength > bytes.length) fail(8, `the header declares ${headerLength} bytes; the file ends after ${bytes.length - headerStart} (it is cut off)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (descr === undefined || fortran === undefined || !shapeMatch) return fail(headerStart, `unreadable .npy header: ${quoteForMessage(header.trim())}`);
  const shapeAt = headerStart + shapeMatch.index;
  if (fortran === 'True') fail(headerStart, 'a Fortran-order array; save it in C order (numpy.ascontiguousarray) to read it here');
  const shape = shapeMatch[1].split(',').map((s) => s.trim()).filter(Boolean).map((text) => {
    if (!/^\d+$/.test(text)) fail(shapeAt, `the shape (${quoteForMessage(shapeMatch[1])}) has ${quoteForMessage(text)}, not a length (an integer ≥ 0)`);
    return Number(text);
  });
  let count = 1;
  for (const length of shape) {
    count *= length;
    if (count > MAX_LIBRARY_VALUES) fail(shapeAt, `the shape (${shape.join(', ')}) holds more values than a library may (${MAX_LIBRARY_VALUES.toLocaleString('en-US')})`);
  }
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) return fail(headerStart, `dtype ${quoteForMessage(descr)} is not numeric (only float, int, unsigned and bool arrays are read)`);
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  const little = order !== '>';
  const getters: Record<string, (offset: number) => number> = {
    f4: (o) => view.getFloat32(o, little),
    f8: (o) => view.getFloat64(o, little),
    i1: (o) => view.getInt8(o),
    i2: (o) => view.getInt16(o, little),
    i4: (o) => view.getInt32(o, little),
    i8: (o) => Number(view.getBigInt64(o, little)),
    u1: (o) => view.getUint8(o),
    b1: (o) => view.getUint8(o),
    u2: (o) => view.getUint16(o, little),
    u4: (o) => view.getUint32(o, little),
    u8: (o) => Number(view.getBigUint64(o, little)),
  };
  const get = getters[kind + size];
  if (!get) return fail(headerStart, `dtype ${quoteForMessage(descr)} is not supported`);
  const dataStart = headerStart + headerLength;
  const held = bytes.length - dataStart;
  if (held !== count * size) {
    fail(held < count * size ? bytes.length : dataStart + count * size, `the header's shape (${shape.join(', ')}) and dtype ${descr} make ${count * size} bytes of data; the file holds ${held}${held < count * size ? ' (it is cut off)' : ''}`);
  }
  const data = new Float64Array(count);
  const columns = shape.length === 2 ? shape[1] : 0;
  for (let i = 0; i < count; i++) {
    const v = get(dataStart + i * size);
    if (!Number.isFinite(v)) {
      const where = columns ? `row ${Math.floor(i / columns) + 1}, column ${(i % columns) + 1}` : `value ${i + 1}`;
      fail(dataStart + i * size, `${where} is not a finite number (${v})`);
    }
    data[i] = v;
  }
  return { shape, data, dtype: descr };
}

/** A 2-D array's rows and columns, or a 1-D array's length as one row; anything else is refused. */
export function matrixShape(a: NpyArray, file: string, what: string): { rows: number; columns: number } {
  if (a.shape.length === 2) return { rows: a.shape[0], columns: a.shape[1] };
  if (a.shape.length === 1) return { rows: 1, columns: a.shape[0] };
  throw new UserError(`${file}: expected ${what} as a 1-D or 2-D array; it has shape (${a.shape.join(', ')})`, [], file);
}

/** Writes a float64 C-order .npy (for tests and for round trips with Python). */
export function writeNpy(shape: number[], data: ArrayLike<number>): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length * 8);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  for (let i = 0; i < data.length; i++) view.setFloat64(10 + header.length + i * 8, data[i], true);
  return out;
}
