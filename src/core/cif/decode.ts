/**
 * CIF 2.0 is UTF-8; CIF 1.1 files in the wild are ASCII, UTF-8 or Latin-1 (the `©` in journal
 * headers). Decode as UTF-8 when the bytes are valid UTF-8, else as Latin-1, so no file is
 * refused for its encoding.
 */
export function decodeCifBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}
