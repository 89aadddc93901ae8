export { parseCif, type ParseCifOptions } from './parser';
export { parseCifNumber, parseCifNumberSpan, type CifNumber } from './number';
export { CifBlock, CifColumn, CifLoop, normaliseTag, type CifData, type CifFile, type CifValueKind } from './model';
export { textFieldValue } from './textfield';
export { LineIndex } from '../util/lines';
export { decodeCifBytes } from './decode';
