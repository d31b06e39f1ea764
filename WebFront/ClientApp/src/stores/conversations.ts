import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import { get, post } from '../lib/api'
import type { Conversation, Message } from '../lib/types'
import { useLink } from './link'
import { usePeople } from './people'

/**
 * The conversation list as the server last told it (Sync, `conversationUpdated`) moved on by live
 * messages: last message, unread counts, read positions (yours, and in a direct conversation the
 * other user's, shown as "Seen"), and which conversation is open.
 */
export const useConversations = defineStore('conversations', () => {
  const link = useLink()
  const people = usePeople()
  const byId = reactive(new Map<string, Conversation>())
  /** Direct conversations: how far the other user has read. */
  const peerRead = reactive(new Map<string, number>())
  const activeId = ref<string | null>(null)
  /** True while the chat page is on screen (not the videos page): only then is the open conversation read. */
  const viewing = ref(false)

  const ordered = computed(() =>
    [...byId.values()].sort((a, b) => activity(b) - activity(a) || a.title.localeCompare(b.title)))
  const active = computed(() => (activeId.value ? byId.get(activeId.value) ?? null : null))
  const unread = computed(() => [...byId.values()].reduce((n, c) => n + c.unread, 0))

  function activity(c: Conversation): number {
    return c.lastMessage ? Date.parse(c.lastMessage.sentAt) : 0
  }

  /** Takes the server's view of a conversation, keeping a newer last message this page already has. */
  function upsert(c: Conversation) {
    const existing = byId.get(c.id)
    if (existing) {
      const keepLast = existing.lastMessage && (!c.lastMessage || existing.lastMessage.seq > c.lastMessage.seq)
      Object.assign(existing, { ...c, lastMessage: keepLast ? existing.lastMessage : c.lastMessage, lastSeq: Math.max(existing.lastSeq, c.lastSeq) })
      if (isSeen(c.id)) existing.unread = 0
    } else {
      byId.set(c.id, { ...c })
    }
    if (c.peer) people.remember(c.peer)
    if (c.peerReadSeq) peerRead.set(c.id, Math.max(peerRead.get(c.id) ?? 0, c.peerReadSeq))
  }

  /** Sync's list is the whole list: conversations not in it (a group left elsewhere) go; returns their ids. */
  function applySync(list: Conversation[]): string[] {
    for (const c of list) upsert(c)
    const listed = new Set(list.map(c => c.id))
    const gone = [...byId.keys()].filter(id => !listed.has(id))
    for (const id of gone) remove(id)
    return gone
  }

  async function refresh() {
    for (const c of await get<Conversation[]>('/api/v1/conversations')) upsert(c)
  }

  async function openDirect(userId: number): Promise<string> {
    const c = await post<Conversation>('/api/v1/conversations/direct', { userId })
    upsert(c)
    return c.id
  }

  function remove(id: string) {
    byId.delete(id)
    peerRead.delete(id)
    if (activeId.value === id) activeId.value = null
  }

  /** A message the server has (live, or our send's answer) moves its conversation's last message and unread count; false for a conversation not in the list. */
  function noteLast(m: Message): boolean {
    const conv = byId.get(m.conversationId)
    if (!conv) return false
    if (!conv.lastMessage || m.seq >= conv.lastMessage.seq) conv.lastMessage = m
    if (m.seq > conv.lastSeq) {
      conv.lastSeq = m.seq
      if (m.senderId !== people.me && !isSeen(m.conversationId) && m.seq > conv.readSeq) conv.unread++
    }
    return true
  }

  /** Updates the last message when it is the one edited or recalled. */
  function noteUpdated(m: Message) {
    const conv = byId.get(m.conversationId)
    if (conv?.lastMessage?.seq === m.seq) conv.lastMessage = m
  }

  function isSeen(id: string): boolean {
    return viewing.value && activeId.value === id && document.visibilityState === 'visible'
  }

  /** The open conversation, on screen, was read through `seq` (the newest message it shows): told to the server once. */
  function readThrough(id: string, seq: number) {
    const conv = byId.get(id)
    if (!conv || !isSeen(id)) return
    conv.unread = 0
    if (seq <= conv.readSeq) return
    conv.readSeq = seq
    const told = link.connected()
      ? link.invoke('MarkRead', id, seq)
      : post(`/api/v1/conversations/${encodeURIComponent(id)}/read`, { seq })
    void told.catch(() => {})
  }

  link.on('conversationUpdated', upsert)
  link.on('read', e => {
    if (e.userId !== people.me) {
      peerRead.set(e.conversationId, Math.max(peerRead.get(e.conversationId) ?? 0, e.seq))
      return
    }
    const conv = byId.get(e.conversationId)
    if (conv && e.seq > conv.readSeq) {
      conv.readSeq = e.seq
      if (e.seq >= conv.lastSeq) conv.unread = 0
    }
  })
  link.on('presence', e => {
    for (const c of byId.values()) if (c.peer?.id === e.userId) c.peer.online = e.online
  })

  function reset() {
    byId.clear()
    peerRead.clear()
    activeId.value = null
    viewing.value = false
  }

  return {
    byId, peerRead, activeId, viewing, ordered, active, unread,
    upsert, applySync, refresh, openDirect, remove, noteLast, noteUpdated, isSeen, readThrough, reset,
  }
})
