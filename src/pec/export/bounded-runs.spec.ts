import { boundedRuns } from './bounded-runs.js';

const runs = (sizes: number[], count: number, bytes: number) => [...boundedRuns(sizes, { count, bytes }, (size) => size)];

describe('boundedRuns', () => {
  it('cuts at the count', () => {
    expect(runs([1, 1, 1, 1, 1], 2, 100)).toEqual([[1, 1], [1, 1], [1]]);
  });

  it('cuts before the item that would pass the bytes, keeping the order', () => {
    expect(runs([4, 5, 2, 9, 1], 10, 10)).toEqual([[4, 5], [2], [9, 1]]);
  });

  it('gives an item larger than the bytes a run of its own', () => {
    expect(runs([3, 50, 3], 10, 10)).toEqual([[3], [50], [3]]);
  });

  it('has no run for no items', () => {
    expect(runs([], 10, 10)).toEqual([]);
  });
});
