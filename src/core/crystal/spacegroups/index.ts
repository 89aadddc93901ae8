// PLACEHOLDER written by the lead so the build stays green: the space-group engineer replaces
// this whole file with the real Hall/H-M tables. Every function answers "unknown" for now.
import type { SymmetryOperation } from '../types';

export interface SpaceGroupSetting {
  number: number;
  hermannMauguin: string;
  hall: string;
  settingNote?: string;
}
export function operationsFromHall(_hall: string): SymmetryOperation[] | undefined {
  return undefined;
}
export function operationsFromHermannMauguin(_symbol: string): SymmetryOperation[] | undefined {
  return undefined;
}
export function operationsFromNumber(_n: number): SymmetryOperation[] | undefined {
  return undefined;
}
export function lookupSpaceGroup(_symbolOrHall: string): SpaceGroupSetting | undefined {
  return undefined;
}
