import { describe, expect, it } from 'vitest';
import { basisPointsToPercent, percentToBasisPoints } from './share.ts';

describe('a family’s share of a child', () => {
  it('reads typed percentages into basis points exactly', () => {
    expect(['100', '50', '12.5', '12,5', '33.33', '0', '7 %', ' 40% '].map(percentToBasisPoints)).toEqual([10_000, 5_000, 1_250, 1_250, 3_333, 0, 700, 4_000]);
  });

  it('refuses what is not a percentage from 0 to 100', () => {
    expect(['', 'half', '100.01', '101', '-5', '12.345', '1e2'].map(percentToBasisPoints)).toEqual([null, null, null, null, null, null, null]);
  });

  it('shows basis points back as the percentage typed', () => {
    expect([10_000, 5_000, 1_250, 3_333, 5].map(basisPointsToPercent)).toEqual(['100', '50', '12.5', '33.33', '0.05']);
  });
});
