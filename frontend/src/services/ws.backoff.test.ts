// Reconnect timing of the WebSocket service with a socket that can never connect (fake
// timers; the real-server behaviour is in ws.test.ts): delays double from 0.5 s to the 15 s
// cap with +-25 % jitter, and a successful open resets them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeStore } from '../store';
import { MarketSocket } from './ws';

const opened: number[] = [];
let succeed = false;
class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  sent: string[] = [];
  constructor(public url: string) {
    opened.push(Date.now());
    FakeSocket.last = this;
    setTimeout(() => {
      if (succeed) { this.readyState = 1; this.onopen?.(); } else this.onclose?.();
    }, 0);
  }
  send(t: string) { this.sent.push(t); }
  close() { this.readyState = 3; setTimeout(() => this.onclose?.(), 0); }
}

afterEach(() => { vi.useRealTimers(); });

describe('reconnect backoff', () => {
  it('doubles the delay up to the cap, then resets after a successful open', async () => {
    vi.useFakeTimers();
    const sock = new MarketSocket(makeStore(), { url: 'ws://x/api/v1/ws', WebSocketImpl: FakeSocket as never, initialDelayMs: 500, maxDelayMs: 15000 });
    sock.start();
    await vi.advanceTimersByTimeAsync(120_000);
    const gaps = opened.slice(1).map((t, i) => t - opened[i]);
    const expected = [500, 1000, 2000, 4000, 8000, 15000, 15000];
    expected.forEach((e, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(e * 0.75);
      expect(gaps[i]).toBeLessThanOrEqual(e * 1.25 + 1);
    });
    // Now the server is back: the next attempt opens and resubscribes what was asked for.
    succeed = true;
    sock.subscribe('depth:1');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(FakeSocket.last!.sent).toContain('{"op":"subscribe","channel":"depth:1"}');
    // A drop after a good connection retries after ~0.5 s again, not 15 s.
    const n = opened.length;
    succeed = false;
    FakeSocket.last!.close();
    await vi.advanceTimersByTimeAsync(700);
    expect(opened.length).toBe(n + 1);
    sock.stop();
  });
});
