import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
// SignalR is loaded with the chat page, so the login page stays small.
import type { HubConnection } from '@microsoft/signalr'
import { ApiError, del, errorText, get, patch, post, token } from '../lib/api'
import type { ChatItem, Conversation, Group, Message, SendRequest, User } from '../lib/types'
import { useSession } from './session'

const pageSize = 50
const sendTimeoutMs = 15000
const typingShownMs = 5000
const typingSentEveryMs = 3000

export type LinkState = 'offline' | 'connecting' | 'connected' | 'reconnecting'

/** An id for a message we send, unique per sender; works outside secure contexts (no crypto.randomUUID). */
export function newClientMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer from the server')), ms)
    promise.then(v => { clearTimeout(timer); resolve(v) }, e => { clearTimeout(timer); reject(e) })
  })
}

/**
 * Conversations, messages and the live link (/hubs/chat). Messages of a conversation are kept
 * ascending by seq, with our own not-yet-acknowledged messages after them. Live events are the
 * fast path only (one can be lost while the server rebuilds a delivery route, or race a
 * reconnect), so each loaded conversation has a watermark, the seq through which this page holds
 * every message; a message arriving past it, and every Sync, fetches the rest from history.
 */
export const useChat = defineStore('chat', () => {
  const session = useSession()
  const conversations = reactive(new Map<string, Conversation>())
  const messages = reactive(new Map<string, ChatItem[]>())
  const hasOlder = reactive(new Map<string, boolean>())
  /** Per loaded conversation: the seq through which this page holds every message (not reactive: bookkeeping). */
  const complete = new Map<string, number>()
  const gapFills = new Map<string, Promise<void>>()
  const refill = new Set<string>()
  const users = reactive(new Map<number, User>())
  const contacts = ref<User[]>([])
  const typing = reactive(new Map<string, Map<number, number>>())
  const peerRead = reactive(new Map<string, number>())
  const activeId = ref<string | null>(null)
  /** True while the chat page is on screen (not the videos page): only then is the open conversation read. */
  const viewing = ref(false)
  const link = ref<LinkState>('offline')
  const loadError = ref<string | null>(null)
  const now = ref(Date.now())
  let connection: HubConnection | null = null
  let stopped = true
  let lastTypingSent = new Map<string, number>()
  let ticker: number | undefined
  const catchUpSeconds = 60
  let sinceCatchUp = 0

  const me = computed(() => session.user?.id ?? 0)

  const ordered = computed(() =>
    [...conversations.values()].sort((a, b) => activity(b) - activity(a) || a.title.localeCompare(b.title)))

  function activity(c: Conversation): number {
    return c.lastMessage ? Date.parse(c.lastMessage.sentAt) : 0
  }

  const active = computed(() => (activeId.value ? conversations.get(activeId.value) ?? null : null))

  // ---- the live link ----

  async function start() {
    if (!stopped) return
    stopped = false
    let ticks = 0
    ticker = window.setInterval(() => {
      now.value = Date.now()
      expireTyping()
      // While reconnecting, ask the API now and then whether the token still works: if it was
      // revoked (logged out elsewhere), the 401 signs this page out instead of retrying forever.
      if (link.value === 'reconnecting' && ++ticks % 10 === 0) void get('/api/v1/users/me').catch(() => {})
      // Live delivery is the fast path, not the guarantee: now and then compare with the server.
      if (link.value === 'connected' && ++sinceCatchUp >= catchUpSeconds) void catchUp()
    }, 1000)
    document.addEventListener('visibilitychange', onVisible)
    void loadContacts()
    const { HubConnectionBuilder, LogLevel } = await import('@microsoft/signalr')
    if (stopped) return
    connection = new HubConnectionBuilder()
      .withUrl('/hubs/chat', { accessTokenFactory: () => token() ?? '' })
      // Never give up: after a long outage keep trying every 5 seconds.
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => [0, 1000, 2000, 3000][ctx.previousRetryCount] ?? 5000 })
      .configureLogging(LogLevel.None)
      .build()
    connection.serverTimeoutInMilliseconds = 20000
    connection.keepAliveIntervalInMilliseconds = 10000
    connection.on('message', (m: Message) => onMessage(m))
    connection.on('messageUpdated', (m: Message) => onMessageUpdated(m))
    connection.on('typing', (e: { conversationId: string; userId: number }) => onTyping(e))
    connection.on('read', (e: { conversationId: string; userId: number; seq: number }) => onRead(e))
    connection.on('presence', (e: { userId: number; online: boolean }) => onPresence(e))
    connection.on('conversationUpdated', (c: Conversation) => upsertConversation(c))
    // A delivery route was rebuilt and may have dropped live events: compare with the server now.
    connection.on('resync', () => { void catchUp() })
    connection.onreconnecting(() => { link.value = 'reconnecting' })
    connection.onreconnected(() => { void afterConnect() })
    connection.onclose(() => {
      if (stopped) return
      link.value = 'reconnecting'
      void connectLoop()
    })
    link.value = 'connecting'
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
        if (attempt > 0) link.value = 'reconnecting'
        await new Promise(r => setTimeout(r, Math.min(1000 * (attempt + 1), 5000)))
      }
    }
  }

  /**
   * Asks the server for the conversation list and fetches whatever this page is missing by seq: an
   * event can be lost while the server rebuilds a delivery route (a silo left the cluster), and a
   * page that was in the background may have been throttled. Runs every minute and whenever the
   * page comes back into view.
   */
  async function catchUp() {
    sinceCatchUp = 0
    if (!connection || link.value !== 'connected') return
    try {
      await applySync(await connection.invoke<Conversation[]>('Sync'))
    } catch {
      // the link dropped meanwhile: the reconnect catches up
    }
  }

  function onVisible() {
    if (document.visibilityState === 'visible') void catchUp()
  }

  /** Events flow from the moment Sync returns; anything earlier is fetched from history by seq. */
  async function afterConnect() {
    if (!connection) return
    try {
      const list = await connection.invoke<Conversation[]>('Sync')
      loadError.value = null
      link.value = 'connected'
      if (!performance.getEntriesByName('gochat:chat-live').length) performance.mark('gochat:chat-live')
      await applySync(list)
      void loadContacts()
      for (const list of messages.values())
        for (const item of list) if (item.state === 'failed' && item.retry && item.error === offlineText) void deliver(item)
    } catch (e) {
      loadError.value = errorText(e)
      throw e
    }
  }

  /** Takes the server's conversation list as it is and fetches what each loaded conversation lacks, by seq. */
  async function applySync(list: Conversation[]) {
    for (const c of list) upsertConversation(c)
    for (const id of [...conversations.keys()]) if (!list.some(c => c.id === id)) conversations.delete(id)
    await Promise.all([...messages.keys()].map(id => fillGap(id)))
    if (activeId.value) markRead(activeId.value)
  }

  /** Fetches what a loaded conversation lacks after its watermark; one fetch per conversation at a time (a call meanwhile runs it again after). */
  function fillGap(id: string): Promise<void> {
    const running = gapFills.get(id)
    if (running) {
      refill.add(id)
      return running
    }
    const fill = (async () => {
      try {
        do {
          refill.delete(id)
          await fillOnce(id)
        } while (refill.has(id) && !stopped)
      } finally {
        gapFills.delete(id)
      }
    })()
    gapFills.set(id, fill)
    return fill
  }

  async function fillOnce(id: string) {
    for (let round = 0; round < 20; round++) {
      const conv = conversations.get(id)
      const after = complete.get(id)
      if (!conv || after === undefined || Math.max(conv.lastSeq, highestSeq(id)) <= after) return
      const page = await get<Message[]>(`/api/v1/conversations/${encodeURIComponent(id)}/messages?afterSeq=${after}&limit=200`)
      if (complete.get(id) === undefined) return // logged out or reset meanwhile
      for (const m of page) insert(m)
      // The server answered with every message after `after` that it had (a seq never committed is
      // never there), so the page's last seq is held through, whatever the list looked like before.
      if (page.length) complete.set(id, Math.max(complete.get(id)!, page[page.length - 1].seq))
      advance(id)
      // Nothing new although a later seq is known: that message's commit raced this read. The next
      // message, Sync or catch-up asks again rather than looping here.
      if (page.length < 200) return
    }
  }

  /** Moves the watermark over the seqs this page now holds in a row. */
  function advance(id: string) {
    const list = messages.get(id)
    let done = complete.get(id)
    if (!list || done === undefined) return
    let i = list.length
    while (i > 0 && (list[i - 1].state !== 'sent' || list[i - 1].seq > done)) i--
    for (; i < list.length; i++) {
      const item = list[i]
      if (item.state !== 'sent' || item.seq <= done) continue
      if (item.seq !== done + 1) break
      done = item.seq
    }
    complete.set(id, done)
  }

  /** A message from the server (live event or our own send's answer): placed, and a gap before it fetched. */
  function arrived(m: Message) {
    insert(m)
    advance(m.conversationId)
    const done = complete.get(m.conversationId)
    if (done !== undefined && m.seq > done) void fillGap(m.conversationId).catch(() => {})
  }

  async function stop() {
    stopped = true
    window.clearInterval(ticker)
    document.removeEventListener('visibilitychange', onVisible)
    const c = connection
    connection = null
    link.value = 'offline'
    if (c) await c.stop().catch(() => {})
    conversations.clear()
    messages.clear()
    complete.clear()
    refill.clear()
    hasOlder.clear()
    typing.clear()
    peerRead.clear()
    contacts.value = []
    activeId.value = null
  }

  const connected = () => connection?.state === 'Connected'

  // ---- conversations ----

  function upsertConversation(c: Conversation) {
    const existing = conversations.get(c.id)
    if (existing) {
      const keepLast = existing.lastMessage && (!c.lastMessage || existing.lastMessage.seq > c.lastMessage.seq)
      Object.assign(existing, { ...c, lastMessage: keepLast ? existing.lastMessage : c.lastMessage, lastSeq: Math.max(existing.lastSeq, c.lastSeq) })
      if (isSeen(c.id)) existing.unread = 0
    } else {
      conversations.set(c.id, { ...c })
    }
    if (c.peer) users.set(c.peer.id, c.peer)
    if (c.peerReadSeq) peerRead.set(c.id, Math.max(peerRead.get(c.id) ?? 0, c.peerReadSeq))
  }

  async function refreshConversations() {
    const list = await get<Conversation[]>('/api/v1/conversations')
    for (const c of list) upsertConversation(c)
  }

  async function openDirect(userId: number): Promise<string> {
    const c = await post<Conversation>('/api/v1/conversations/direct', { userId })
    upsertConversation(c)
    return c.id
  }

  function highestSeq(id: string): number {
    const list = messages.get(id)
    if (!list) return 0
    for (let i = list.length - 1; i >= 0; i--) if (list[i].state === 'sent') return list[i].seq
    return 0
  }

  /** Opening shows only the newest page; older pages come with loadOlder. */
  async function open(id: string) {
    activeId.value = id
    const conv = conversations.get(id)
    if (!complete.has(id)) {
      const page = await get<Message[]>(`/api/v1/conversations/${encodeURIComponent(id)}/messages?limit=${pageSize}`)
      if (stopped) return
      if (!complete.has(id)) {
        if (!messages.has(id)) messages.set(id, [])
        for (const m of page) insert(m)
        hasOlder.set(id, page.length === pageSize && page[0].seq > 1)
        // The newest page: everything up to its last seq is held (older pages come with loadOlder).
        complete.set(id, page.length ? page[page.length - 1].seq : 0)
        advance(id)
        await fillGap(id)
      }
    }
    if (conv?.kind === 'group' && conv.groupId) void loadGroup(conv.groupId).catch(() => {})
    markRead(id)
  }

  async function loadOlder(id: string): Promise<number> {
    const list = messages.get(id)
    if (!list || !hasOlder.get(id)) return 0
    const first = list.find(m => m.state === 'sent')
    if (!first) return 0
    const page = await get<Message[]>(`/api/v1/conversations/${encodeURIComponent(id)}/messages?beforeSeq=${first.seq}&limit=${pageSize}`)
    for (const m of page) insert(m)
    hasOlder.set(id, page.length === pageSize && page[0].seq > 1)
    return page.length
  }

  // ---- messages ----

  function toItem(m: Message): ChatItem {
    return { ...m, state: 'sent' }
  }

  /** Puts a server message in its place: replaces the same seq, or our pending copy, or inserts by seq. */
  function insert(m: Message) {
    let list = messages.get(m.conversationId)
    if (!list) return
    const bySeq = list.findIndex(x => x.state === 'sent' && x.seq === m.seq)
    if (bySeq >= 0) {
      list[bySeq] = toItem(m)
      return
    }
    if (m.senderId === me.value) {
      const pending = list.findIndex(x => x.state !== 'sent' && x.clientMsgId === m.clientMsgId)
      if (pending >= 0) list.splice(pending, 1)
    }
    let at = list.length
    while (at > 0 && (list[at - 1].state !== 'sent' || list[at - 1].seq > m.seq)) at--
    list.splice(at, 0, toItem(m))
  }

  function noteLast(m: Message) {
    const conv = conversations.get(m.conversationId)
    if (!conv) return false
    if (!conv.lastMessage || m.seq >= conv.lastMessage.seq) conv.lastMessage = m
    if (m.seq > conv.lastSeq) {
      conv.lastSeq = m.seq
      const seen = isSeen(m.conversationId)
      if (m.senderId !== me.value && !seen && m.seq > conv.readSeq) conv.unread++
    }
    return true
  }

  function onMessage(m: Message) {
    if (!noteLast(m)) {
      void refreshConversations()
      return
    }
    arrived(m)
    typing.get(m.conversationId)?.delete(m.senderId)
    if (activeId.value === m.conversationId) markRead(m.conversationId)
  }

  function onMessageUpdated(m: Message) {
    const list = messages.get(m.conversationId)
    if (list) {
      const i = list.findIndex(x => x.state === 'sent' && x.seq === m.seq)
      if (i >= 0) list[i] = toItem(m)
    }
    const conv = conversations.get(m.conversationId)
    if (conv?.lastMessage?.seq === m.seq) conv.lastMessage = m
  }

  const offlineText = 'Not sent: no connection to the server'

  async function send(conversationId: string, body: Omit<SendRequest, 'conversationId' | 'clientMsgId'>) {
    const request: SendRequest = { conversationId, clientMsgId: newClientMsgId(), ...body }
    // Sent before the history arrived: the history is merged around it when it does.
    if (!messages.has(conversationId)) messages.set(conversationId, [])
    const list = messages.get(conversationId)!
    list.push({
      id: 0, conversationId, seq: 0, senderId: me.value, kind: body.kind, text: body.text ?? '', media: null,
      replyToSeq: body.replyToSeq ?? null, clientMsgId: request.clientMsgId, sentAt: new Date().toISOString(),
      recalled: false, state: 'sending', retry: request,
    })
    // The reactive copy, so state changes show.
    await deliver(list[list.length - 1])
  }

  /** Sends (or re-sends: same clientMsgId, the server keeps one message) through the hub, or the API when offline. */
  async function deliver(item: ChatItem) {
    const request = item.retry
    if (!request) return
    item.state = 'sending'
    item.error = undefined
    try {
      const sent = connected()
        ? await withTimeout(connection!.invoke<Message>('SendMessage', request), sendTimeoutMs)
        : await withTimeout(post<Message>(`/api/v1/conversations/${encodeURIComponent(request.conversationId)}/messages`, {
            clientMsgId: request.clientMsgId, kind: request.kind, text: request.text, mediaId: request.mediaId, replyToSeq: request.replyToSeq,
          }), sendTimeoutMs)
      noteLast(sent)
      arrived(sent)
    } catch (e) {
      item.state = 'failed'
      const text = errorText(e)
      // The server's own answer (a refusal, or "try again" while its database restarts) is shown as it
      // says; anything else means the message never got an answer: offline, sent again on reconnect.
      const answered = (e instanceof ApiError && e.status > 0) || /on the server/.test(text)
      item.error = answered ? cleanHubError(text) : offlineText
    }
  }

  function cleanHubError(text: string): string {
    const at = text.indexOf('HubException: ')
    return at >= 0 ? text.slice(at + 'HubException: '.length) : text
  }

  function discard(item: ChatItem) {
    const list = messages.get(item.conversationId)
    if (!list) return
    const i = list.indexOf(item)
    if (i >= 0) list.splice(i, 1)
  }

  async function edit(m: Message, text: string) {
    onMessageUpdated(await patch<Message>(`/api/v1/conversations/${encodeURIComponent(m.conversationId)}/messages/${m.seq}`, { text }))
  }

  async function recall(m: Message) {
    await del(`/api/v1/conversations/${encodeURIComponent(m.conversationId)}/messages/${m.seq}`)
    onMessageUpdated({ ...m, recalled: true, text: '', media: null })
  }

  function isSeen(id: string): boolean {
    return viewing.value && activeId.value === id && document.visibilityState === 'visible'
  }

  function markRead(id: string) {
    const conv = conversations.get(id)
    if (!conv || !isSeen(id)) return
    const seq = highestSeq(id)
    conv.unread = 0
    if (seq <= conv.readSeq) return
    conv.readSeq = seq
    const done = connected()
      ? connection!.invoke('MarkRead', id, seq)
      : post(`/api/v1/conversations/${encodeURIComponent(id)}/read`, { seq })
    void done.catch(() => {})
  }

  function sendTyping(id: string) {
    const last = lastTypingSent.get(id) ?? 0
    if (!connected() || Date.now() - last < typingSentEveryMs) return
    lastTypingSent.set(id, Date.now())
    void connection!.invoke('Typing', id).catch(() => {})
  }

  function onTyping(e: { conversationId: string; userId: number }) {
    if (e.userId === me.value) return
    let map = typing.get(e.conversationId)
    if (!map) {
      map = new Map()
      typing.set(e.conversationId, map)
    }
    map.set(e.userId, Date.now() + typingShownMs)
    if (!users.has(e.userId)) void user(e.userId)
  }

  function expireTyping() {
    const t = Date.now()
    for (const map of typing.values()) for (const [id, until] of map) if (until < t) map.delete(id)
  }

  function typingIn(id: string): number[] {
    return [...(typing.get(id)?.keys() ?? [])]
  }

  function onRead(e: { conversationId: string; userId: number; seq: number }) {
    if (e.userId === me.value) {
      const conv = conversations.get(e.conversationId)
      if (conv && e.seq > conv.readSeq) {
        conv.readSeq = e.seq
        if (e.seq >= conv.lastSeq) conv.unread = 0
      }
      return
    }
    peerRead.set(e.conversationId, Math.max(peerRead.get(e.conversationId) ?? 0, e.seq))
  }

  function onPresence(e: { userId: number; online: boolean }) {
    for (const c of contacts.value) if (c.id === e.userId) c.online = e.online
    for (const conv of conversations.values()) if (conv.peer?.id === e.userId) conv.peer.online = e.online
    const u = users.get(e.userId)
    if (u) u.online = e.online
  }

  // ---- people and groups ----

  async function loadContacts() {
    try {
      contacts.value = await get<User[]>('/api/v1/contacts')
      for (const u of contacts.value) users.set(u.id, u)
    } catch {
      // shown as an empty list; the next connect tries again
    }
  }

  async function addContact(userId: number) {
    const u = await post<User>('/api/v1/contacts', { userId })
    users.set(u.id, u)
    await loadContacts()
  }

  const pendingUsers = new Map<number, Promise<User | null>>()
  function user(id: number): Promise<User | null> {
    const known = users.get(id)
    if (known) return Promise.resolve(known)
    let p = pendingUsers.get(id)
    if (!p) {
      p = get<User>(`/api/v1/users/${id}`).then(u => { users.set(u.id, u); return u }, () => null)
      pendingUsers.set(id, p)
    }
    return p
  }

  function nameOf(id: number): string {
    if (id === me.value) return session.user?.displayName || 'You'
    const u = users.get(id)
    if (!u) {
      void user(id)
      return `User ${id}`
    }
    return u.displayName || u.username
  }

  async function searchUsers(prefix: string): Promise<User[]> {
    const found = await get<User[]>(`/api/v1/users?search=${encodeURIComponent(prefix)}&limit=20`)
    for (const u of found) if (!users.has(u.id)) users.set(u.id, u)
    return found
  }

  const groups = reactive(new Map<number, Group>())
  async function loadGroup(id: number): Promise<Group> {
    const g = await get<Group>(`/api/v1/groups/${id}`)
    for (const m of g.members ?? []) users.set(m.user.id, m.user)
    groups.set(id, g)
    return g
  }

  async function createGroup(name: string, memberIds: number[]): Promise<string> {
    const g = await post<Group>('/api/v1/groups', { name, memberIds })
    groups.set(g.id, g)
    await refreshConversations()
    return g.conversationId
  }

  async function addMembers(groupId: number, userIds: number[]) {
    await post(`/api/v1/groups/${groupId}/members`, { userIds })
    await loadGroup(groupId)
  }

  async function leaveGroup(groupId: number, conversationId: string) {
    await del(`/api/v1/groups/${groupId}/members/${me.value}`)
    conversations.delete(conversationId)
    messages.delete(conversationId)
    groups.delete(groupId)
    if (activeId.value === conversationId) activeId.value = null
  }

  return {
    conversations, ordered, messages, hasOlder, users, contacts, typing, peerRead, activeId, viewing, active, link, loadError, now,
    start, stop, open, loadOlder, send, deliver, discard, edit, recall, markRead, sendTyping, typingIn, openDirect,
    searchUsers, addContact, loadContacts, user, nameOf, groups, loadGroup, createGroup, addMembers, leaveGroup, refreshConversations,
  }
})
