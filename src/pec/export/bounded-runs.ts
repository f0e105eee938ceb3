/**
 * `items` in their order, cut into runs of at most `limits.count` items whose sizes add up to at most
 * `limits.bytes`; an item larger than that alone is a run of its own, so every item is in one run.
 * For reading stored sources together without holding more than a known amount of them.
 */
export function* boundedRuns<T>(
  items: readonly T[],
  limits: { count: number; bytes: number },
  bytesOf: (item: T) => number,
): Generator<T[]> {
  let run: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (run.length > 0 && (run.length === limits.count || bytes + size > limits.bytes)) {
      yield run;
      run = [];
      bytes = 0;
    }
    run.push(item);
    bytes += size;
  }
  if (run.length > 0) yield run;
}
