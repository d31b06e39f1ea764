import { defineStore } from 'pinia'
import { reactive } from 'vue'
import { del, get, patch, post } from '../lib/api'
import { GapFill } from '../lib/gapFill'
import { deliver, isOffline, newClientMsgId, pendingItem } from '../lib/outbox'
import type { StreamingEvent } from '../lib/events'
import { growReply, highestSeq, lowestSeq, placeMessage, updateMessage } from '../lib/timeline'
import type { ChatItem, Message, SendRequest } from '../lib/types'
import { useConversations } from './conversations'
import { useLink } from './link'
import { usePeople } from './people'

const pageSize = 50

const historyPath = (id: string) => `/api/v1/conversations/${encodeURIComponent(id)}/messages`

/**
 * The messages of the conversations this page has opened: ascending by seq with our own sends
 * still on their way after them (lib/timeline.ts), a watermark per conversation with the gaps
 * behind it fetched by seq (lib/gapFill.ts), and the outbox (lib/outbox.ts).
 */
export const useMessages = defineStore('messages', () => {
  const link = useLink()
  const conversations = useConversations()
  const people = usePeople()
  const lists = reactive(new Map<string, ChatItem[]>())
  const hasOlder = reactive(new Map<string, boolean>())
  const gaps = new GapFill({
    fetchAfter: (id, after, limit) => get<Message[]>(`${historyPath(id)}?afterSeq=${after}&limit=${limit}`),
    lastSeq: id => conversations.byId.get(id)?.lastSeq ?? 0,
    items: id => lists.get(id),
    place,
  })
  /** Moves on at sign-out, so a page that was on its way then is dropped. */
  let epoch = 0

  function place(m: Message) {
    const list = lists.get(m.conversationId)
    if (list) placeMessage(list, m, people.me)
  }

  /** A message from the server (live, or our send's answer): placed, and a hole before it fetched. */
  function arrived(m: Message) {
    place(m)
    void gaps.arrived(m).catch(() => {})
  }

  function listOf(id: string): ChatItem[] {
    let list = lists.get(id)
    if (!list) {
      lists.set(id, [])
      list = lists.get(id)! // the reactive copy, so changes show
    }
    return list
  }

  /** Loads a conversation's newest page the first time it is opened; older pages come with loadOlder. */
  async function load(id: string) {
    if (gaps.watermark(id) !== undefined) return
    const at = epoch
    const page = await get<Message[]>(`${historyPath(id)}?limit=${pageSize}`)
    if (at !== epoch || gaps.watermark(id) !== undefined) return
    const list = listOf(id)
    for (const m of page) placeMessage(list, m, people.me)
    hasOlder.set(id, page.length === pageSize && page[0].seq > 1)
    gaps.begin(id, page.length ? page[page.length - 1].seq : 0)
    await gaps.fill(id)
  }

  /** The page before the oldest message held; resolves with how many messages came. */
  async function loadOlder(id: string): Promise<number> {
    const first = lowestSeq(lists.get(id))
    if (!first || !hasOlder.get(id)) return 0
    const at = epoch
    const page = await get<Message[]>(`${historyPath(id)}?beforeSeq=${first}&limit=${pageSize}`)
    if (at !== epoch) return 0
    for (const m of page) place(m)
    hasOlder.set(id, page.length === pageSize && page[0].seq > 1)
    return page.length
  }

  /** Every loaded conversation fetches what it lacks after its watermark (after a Sync). */
  async function fillAll() {
    await Promise.all([...lists.keys()].map(id => gaps.fill(id).catch(() => {})))
  }

  /** Shows the message at once, then sends it. */
  async function send(conversationId: string, body: Omit<SendRequest, 'conversationId' | 'clientMsgId'>) {
    // Sent before the history arrived: the history is merged around it when it does.
    const list = listOf(conversationId)
    list.push(pendingItem({ conversationId, clientMsgId: newClientMsgId(), ...body }, people.me))
    await retry(list[list.length - 1])
  }

  /** Sends again with the same clientMsgId (the server keeps one copy): through the hub, or the HTTP API while disconnected. */
  function retry(item: ChatItem): Promise<void> {
    return deliver(item, request => link.connected()
      ? link.invoke('SendMessage', request)
      : post<Message>(historyPath(request.conversationId), {
          clientMsgId: request.clientMsgId, kind: request.kind, text: request.text, mediaId: request.mediaId, replyToSeq: request.replyToSeq,
        }), sent => {
      conversations.noteLast(sent)
      arrived(sent)
    })
  }

  /** After a reconnect: the sends that failed for lack of a connection go again by themselves. */
  function resendOffline() {
    for (const list of lists.values()) for (const item of list) if (isOffline(item)) void retry(item)
  }

  function discard(item: ChatItem) {
    const list = lists.get(item.conversationId)
    const i = list ? list.indexOf(item) : -1
    if (i >= 0) list!.splice(i, 1)
  }

  function updated(m: Message) {
    const list = lists.get(m.conversationId)
    if (list) updateMessage(list, m)
    conversations.noteUpdated(m)
  }

  async function edit(m: Message, text: string) {
    updated(await patch<Message>(`${historyPath(m.conversationId)}/${m.seq}`, { text }))
  }

  async function recall(m: Message) {
    await del(`${historyPath(m.conversationId)}/${m.seq}`)
    updated({ ...m, recalled: true, text: '', media: null })
  }

  /** The open conversation is read through the newest message the page shows. */
  function markRead(id: string) {
    conversations.readThrough(id, highestSeq(lists.get(id)))
  }

  link.on('message', m => {
    if (!conversations.noteLast(m)) {
      // A conversation this page has not heard of (a new direct chat): the list says what it is.
      void conversations.refresh().catch(() => {})
      return
    }
    arrived(m)
    if (conversations.activeId === m.conversationId) markRead(m.conversationId)
  })
  link.on('messageUpdated', updated)

  /** A bot's reply grows in place; one this page does not hold yet is fetched. */
  link.on('messageStreaming', (e: StreamingEvent) => {
    const list = lists.get(e.conversationId)
    if (list && !growReply(list, e)) void gaps.fill(e.conversationId).catch(() => {})
  })

  /**
   * Replies held as streaming are fetched again after a Sync: their final text came as one
   * `messageUpdated`, which a dropped link may have missed, and the watermark is already past them.
   */
  async function refreshStreaming() {
    await Promise.all([...lists.entries()].map(async ([id, list]) => {
      const first = list.find(m => m.state === 'sent' && m.status === 'streaming')
      if (!first) return
      const at = epoch
      const page = await get<Message[]>(`${historyPath(id)}?afterSeq=${first.seq - 1}&limit=${pageSize}`).catch(() => [])
      if (at === epoch) for (const m of page) place(m)
    }))
  }

  /** "Stop generating": the bot's request to its model is cancelled and what arrived is kept. */
  async function stopReply(m: Message) {
    await link.invoke('StopReply', m.conversationId, m.seq)
  }

  /** The page no longer holds this conversation (left, or gone from Sync): opening it again loads it anew. */
  function forget(id: string) {
    lists.delete(id)
    hasOlder.delete(id)
    gaps.forget(id)
  }

  function reset() {
    epoch++
    lists.clear()
    hasOlder.clear()
    gaps.clear()
  }

  return { lists, hasOlder, load, loadOlder, fillAll, refreshStreaming, stopReply, send, retry, resendOffline, discard, edit, recall, markRead, forget, reset }
})
