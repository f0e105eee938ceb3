/** Polls `check` every `every` ms until it returns something truthy; throws after `ms`. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, ms = 15_000, every = 100): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
