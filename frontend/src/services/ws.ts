// The WebSocket service: one connection to /api/v1/ws feeding the market slice.
// Contract:
// - components ask for channels with `subscribe(channel)` (reference counted; the returned
//   function releases it) or the `useMarketChannels` hook; the service sends
//   {"op":"subscribe","channel":...} once per channel and again after every reconnect.
// - the access token (auth slice) goes in the query (?access_token=, browsers cannot set
//   headers on a WebSocket); a change of the signed-in user reconnects with the new token.
// - a lost connection reconnects with exponential backoff (0.5 s doubling to 15 s, with
//   jitter) and resubscribes everything; each subscription starts again with a snapshot.
// - after each message the service asks the slice which channels saw a sequence gap and
//   resubscribes those (unsubscribe + subscribe = a fresh snapshot).
// - private order/fill messages (and their snapshots, after a resync) invalidate the REST
//   caches of orders, fills, cash and holdings, so balances refetch.
import { useEffect } from 'react';
import type { Store } from '@reduxjs/toolkit';
import { api } from './api';
import type { AuthState } from '../store/authSlice';
import {
  channelsNeedingResync, connectionChanged, privateCleared, subscribing, unsubscribed, wsMessage, type MarketState, type WsMessage,
} from '../store/marketSlice';
import { isNotificationMessage, notificationReceived, notificationsCleared } from '../store/notificationsSlice';

type State = { auth: AuthState; market: MarketState };
type SocketCtor = new (url: string) => WebSocket;

export interface SocketOptions {
  /** Base URL of the socket without query, e.g. ws://127.0.0.1:8080/api/v1/ws. */
  url?: string;
  WebSocketImpl?: SocketCtor;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export function defaultWsUrl(): string {
  const l = globalThis.location;
  return `${l.protocol === 'https:' ? 'wss:' : 'ws:'}//${l.host}/api/v1/ws`;
}

export class MarketSocket {
  private refs = new Map<string, number>();
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private invalidateTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private authKey = '';
  private unlisten: (() => void) | null = null;
  readonly sent: string[] = [];  // the last ops sent (tests and debugging), bounded

  constructor(private store: Store<State>, private opts: SocketOptions = {}) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.authKey = this.keyOf(this.store.getState().auth);
    this.unlisten = this.store.subscribe(() => {
      const k = this.keyOf(this.store.getState().auth);
      if (k === this.authKey) return;
      const wasUser = this.authKey.split('|')[1];
      this.authKey = k;
      if (wasUser !== k.split('|')[1]) { this.store.dispatch(privateCleared()); this.store.dispatch(notificationsCleared()); }
      this.reconnectNow();
    });
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.unlisten?.();
    this.unlisten = null;
    if (this.timer) clearTimeout(this.timer);
    if (this.invalidateTimer) clearTimeout(this.invalidateTimer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.store.dispatch(connectionChanged('closed'));
  }

  /** Adds a reference to `channel`; returns the function that releases it. */
  subscribe(channel: string): () => void {
    const n = this.refs.get(channel) ?? 0;
    this.refs.set(channel, n + 1);
    if (n === 0) this.sendSubscribe(channel);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const m = (this.refs.get(channel) ?? 1) - 1;
      if (m > 0) { this.refs.set(channel, m); return; }
      this.refs.delete(channel);
      this.send({ op: 'unsubscribe', channel });
      this.store.dispatch(unsubscribed(channel));
    };
  }

  channels(): string[] { return [...this.refs.keys()]; }

  /** Handles one raw message (public for tests, which can inject a gap). */
  handle(text: string): void {
    let m: WsMessage;
    try { m = JSON.parse(text) as WsMessage; } catch { return; }
    if (m.type === 'error' && m.channel && this.refs.has(m.channel)) {
      // Refused (e.g. the private channel before the token arrived): keep the reference;
      // the next reconnect asks again.
      return;
    }
    if (isNotificationMessage(m)) this.store.dispatch(notificationReceived(m as unknown as Record<string, unknown>));
    this.store.dispatch(wsMessage(m));
    if (m.channel?.startsWith('orders:') && (m.type === 'order' || m.type === 'fill' || m.type === 'snapshot')) this.scheduleInvalidate();
    for (const ch of channelsNeedingResync(this.store.getState().market)) {
      if (!this.refs.has(ch)) continue;
      this.send({ op: 'unsubscribe', channel: ch });
      this.sendSubscribe(ch);
    }
  }

  private keyOf(a: AuthState): string {
    return `${a.accessToken ? 'auth' : 'anon'}|${a.user?.id ?? ''}`;
  }

  private sendSubscribe(channel: string) {
    this.store.dispatch(subscribing(channel));
    this.send({ op: 'subscribe', channel });
  }

  private send(op: { op: string; channel: string }) {
    const text = JSON.stringify(op);
    this.sent.push(text);
    if (this.sent.length > 200) this.sent.splice(0, this.sent.length - 200);
    if (this.ws && this.ws.readyState === 1) this.ws.send(text);
  }

  private scheduleInvalidate() {
    if (this.invalidateTimer) return;
    this.invalidateTimer = setTimeout(() => {
      this.invalidateTimer = null;
      this.store.dispatch(api.util.invalidateTags(['Order', 'Fill', 'Cash', 'Holding']) as never);
    }, 150);
  }

  private reconnectNow() {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) { ws.onclose = null; ws.close(); }
    this.attempt = 0;
    this.connect();
  }

  private connect() {
    if (this.stopped) return;
    const Ctor = this.opts.WebSocketImpl ?? (globalThis.WebSocket as unknown as SocketCtor | undefined);
    if (!Ctor) return;
    const token = this.store.getState().auth.accessToken;
    const base = this.opts.url ?? defaultWsUrl();
    const url = token ? `${base}?access_token=${encodeURIComponent(token)}` : base;
    this.store.dispatch(connectionChanged('connecting'));
    let opened = false;
    const ws = new Ctor(url);
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      this.attempt = 0;
      this.store.dispatch(connectionChanged('open'));
      for (const ch of this.refs.keys()) this.sendSubscribe(ch);
    };
    ws.onmessage = (ev: MessageEvent) => { if (this.ws === ws) this.handle(String(ev.data)); };
    ws.onerror = () => { /* onclose follows */ };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.store.dispatch(connectionChanged('closed'));
      // Refused before opening while signed in: the access token may have expired; a
      // REST call through the re-auth base query rotates it before the next attempt.
      if (!opened && token) this.store.dispatch(api.endpoints.me.initiate(undefined, { subscribe: false, forceRefetch: true }) as never);
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect() {
    if (this.stopped || this.timer) return;
    const base = this.opts.initialDelayMs ?? 500;
    const max = this.opts.maxDelayMs ?? 15000;
    const delay = Math.min(max, base * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.timer = setTimeout(() => { this.timer = null; this.connect(); }, delay);
  }
}

let instance: MarketSocket | null = null;

/** Starts the app's socket (main.tsx). */
export function startMarketSocket(store: Store<State>, opts?: SocketOptions): MarketSocket {
  instance?.stop();
  instance = new MarketSocket(store, opts);
  instance.start();
  return instance;
}

export function marketSocket(): MarketSocket | null { return instance; }

/** Keeps the given channels subscribed while the component is mounted. */
export function useMarketChannels(channels: string[]): void {
  const key = channels.join(',');
  useEffect(() => {
    const s = instance;
    if (!s || !key) return undefined;
    const releases = key.split(',').map((c) => s.subscribe(c));
    return () => releases.forEach((r) => r());
  }, [key]);
}
