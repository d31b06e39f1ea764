import { defineStore } from 'pinia'
import { ref } from 'vue'
// SignalR is loaded with the chat page, so the login page stays small.
import type { HubConnection } from '@microsoft/signalr'
import { errorText, get, token } from '../lib/api'
import type { HubEventName, HubHandler, HubMethodName, HubMethods } from '../lib/events'
import type { Conversation } from '../lib/types'

export type LinkState = 'offline' | 'connecting' | 'connected' | 'reconnecting'

/** Why a Sync ran: the link (re)connected, or a check while connected (every minute, tab in view, `resync`). */
export type SyncReason = 'connected' | 'catchUp'
export type SyncHandler = (conversations: Conversation[], reason: SyncReason) => Promise<void>

const catchUpSeconds = 60

/** This page's own id, kept across reloads of the tab (sessionStorage) and unique per tab. */
function deviceId(): string {
  let id = sessionStorage.getItem('gochat.device')
  if (!id) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(12)), b => b.toString(16).padStart(2, '0')).join('')
    sessionStorage.setItem('gochat.device', id)
  }
  return id
}
/** While reconnecting, the token is checked this often (seconds), so a revoked one signs the page out. */
const tokenCheckSeconds = 10

/**
 * The live link, /hubs/chat: connects, reconnects without ever giving up, and catches up. Live
 * delivery is the fast path, not the guarantee, so after every (re)connect, every minute, whenever
 * the tab comes back into view and on `resync` it calls Sync and hands the list to the sync handler,
 * which fetches what the page lacks by seq. Other stores receive events through `on`, by the wire
 * names of lib/events.ts.
 */
export const useLink = defineStore('link', () => {
  const state = ref<LinkState>('offline')
  /** Why the last connect or Sync failed, while it has not succeeded since. */
  const error = ref<string | null>(null)
  // Handlers of any event; `on` keeps each paired with its own event's payload type.
  const handlers = new Map<HubEventName, Set<(payload: never) => void>>()
  let sync: SyncHandler = async () => {}
  let connection: HubConnection | null = null
  let stopped = true
  let ticker: number | undefined
  let sinceCatchUp = 0

  /** Registers a handler for a server event; returns what removes it. */
  function on<K extends HubEventName>(name: K, handler: HubHandler<K>): () => void {
    let set = handlers.get(name)
    if (!set) handlers.set(name, (set = new Set()))
    set.add(handler)
    connection?.on(name, handler as (...args: unknown[]) => void)
    return () => {
      set.delete(handler)
      connection?.off(name, handler as (...args: unknown[]) => void)
    }
  }

  function onSync(handler: SyncHandler) {
    sync = handler
  }

  const connected = () => connection?.state === 'Connected'

  /** Calls a hub method; rejects when not connected (callers fall back to the HTTP API). */
  function invoke<M extends HubMethodName>(method: M, ...args: Parameters<HubMethods[M]>): Promise<ReturnType<HubMethods[M]>> {
    if (!connection || !connected()) return Promise.reject(new Error('not connected'))
    return connection.invoke<ReturnType<HubMethods[M]>>(method, ...args)
  }

  async function start() {
    if (!stopped) return
    stopped = false
    let ticks = 0
    ticker = window.setInterval(() => {
      // A revoked token (logged out elsewhere) gets a 401 here, which signs this page out instead of retrying forever.
      if (state.value === 'reconnecting' && ++ticks % tokenCheckSeconds === 0) void get('/api/v1/users/me').catch(() => {})
      if (state.value === 'connected' && ++sinceCatchUp >= catchUpSeconds) void catchUp()
    }, 1000)
    document.addEventListener('visibilitychange', onVisible)
    const { HubConnectionBuilder, LogLevel } = await import('@microsoft/signalr')
    if (stopped) return
    const c = new HubConnectionBuilder()
      // The page names itself (docs/calls.md, "Reconnecting"): a new connection of the same page takes its place in a call.
      .withUrl(`/hubs/chat?device=${deviceId()}`, { accessTokenFactory: () => token() ?? '' })
      // Never give up: after a long outage keep trying every 5 seconds.
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => [0, 1000, 2000, 3000][ctx.previousRetryCount] ?? 5000 })
      .configureLogging(LogLevel.None)
      .build()
    c.serverTimeoutInMilliseconds = 20000
    c.keepAliveIntervalInMilliseconds = 10000
    for (const [name, set] of handlers) for (const handler of set) c.on(name, handler as (...args: unknown[]) => void)
    c.onreconnecting(() => { state.value = 'reconnecting' })
    c.onreconnected(() => { void afterConnect() })
    c.onclose(() => {
      if (stopped) return
      state.value = 'reconnecting'
      void connectLoop()
    })
    connection = c
    state.value = 'connecting'
    await connectLoop()
  }

  async function connectLoop() {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        if (connection && connection.state === 'Disconnected') await connection.start()
        await afterConnect()
        return
      } catch {
        if (stopped) return
        if (attempt > 0) state.value = 'reconnecting'
        await new Promise(r => setTimeout(r, Math.min(1000 * (attempt + 1), 5000)))
      }
    }
  }

  /** Events flow from the moment Sync returns; anything earlier is fetched from history by seq. */
  async function afterConnect() {
    if (!connection) return
    try {
      const list = await invoke('Sync')
      error.value = null
      state.value = 'connected'
      sinceCatchUp = 0
      if (!performance.getEntriesByName('gochat:chat-live').length) performance.mark('gochat:chat-live')
      await sync(list, 'connected')
    } catch (e) {
      error.value = errorText(e)
      throw e
    }
  }

  /** Compares with the server now: an event may have been lost, or the tab throttled in the background. */
  async function catchUp() {
    sinceCatchUp = 0
    if (state.value !== 'connected') return
    try {
      await sync(await invoke('Sync'), 'catchUp')
    } catch {
      // the link dropped meanwhile: the reconnect catches up
    }
  }

  function onVisible() {
    if (document.visibilityState === 'visible') void catchUp()
  }

  // A delivery route was rebuilt and may have dropped live events.
  on('resync', () => { void catchUp() })

  /** Closes the link (signing out); the handlers stay registered for the next start. */
  async function stop() {
    stopped = true
    window.clearInterval(ticker)
    document.removeEventListener('visibilitychange', onVisible)
    const c = connection
    connection = null
    state.value = 'offline'
    error.value = null
    if (c) await c.stop().catch(() => {})
  }

  return { state, error, on, onSync, connected, invoke, start, stop, catchUp }
})
