import type { Request, Response } from 'express';

/**
 * A Server-Sent Events stream fed by polling (the task inbox, the campaign dashboard): `read()` runs at once
 * and every `everyMs`, and its JSON goes out as `event` only when it changed. Polling the database rather than
 * listening for in-process events is deliberate: what changes those numbers runs in other processes (the
 * process runtime, the sending worker), and a cheap grouped COUNT works across any number of them without a
 * bus. The timer is created inside the request, so its callbacks keep the request's tenant context.
 */
export async function streamPolledEvents(
  req: Request,
  res: Response,
  event: string,
  everyMs: number,
  read: () => Promise<unknown>,
): Promise<void> {
  res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  res.flushHeaders();
  let last = '';
  let closed = false;
  const send = async () => {
    const data = JSON.stringify(await read());
    if (closed || data === last) return;
    last = data;
    res.write(`event: ${event}\ndata: ${data}\n\n`);
  };
  const timer = setInterval(() => void send().catch(() => res.end()), everyMs);
  req.on('close', () => {
    closed = true;
    clearInterval(timer);
  });
  await send();
}
