// Our own sends. A message shows at once ('sending'), becomes sent when the server acknowledges
// it, or failed: with the server's words when the server answered (a refusal, or "try again" while
// its database restarts), or as offline when no answer came; offline ones are sent again by
// themselves after a reconnect. Every attempt reuses the message's clientMsgId, so the server keeps
// one copy however often it is sent (docs/api.md). Pure: the messages store gives it the transport.
import { ApiError, errorText } from './api'
import type { ChatItem, Message, SendRequest } from './types'

export const offlineText = 'Not sent: no connection to the server'
export const sendTimeoutMs = 15000

/** Sends a request through the hub or, while disconnected, the history route; resolves with the stored message. */
export type Transport = (request: SendRequest) => Promise<Message>

/** An id for a message we send, unique per sender; works outside secure contexts (no crypto.randomUUID). */
export function newClientMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
}

/** The message as it shows before the server has it: no seq yet, and the request to (re)send. */
export function pendingItem(request: SendRequest, senderId: number, now = new Date()): ChatItem {
  return {
    id: 0, conversationId: request.conversationId, seq: 0, senderId, kind: request.kind, text: request.text ?? '', media: null,
    replyToSeq: request.replyToSeq ?? null, clientMsgId: request.clientMsgId, sentAt: now.toISOString(),
    recalled: false, state: 'sending', retry: request,
  }
}

/**
 * Sends (or sends again) a pending message and hands the server's answer to `sent`; on failure the
 * item is marked failed with the reason. `item` must be the reactive copy in the list, so its state shows.
 */
export async function deliver(item: ChatItem, transport: Transport, sent: (m: Message) => void, timeoutMs = sendTimeoutMs): Promise<void> {
  const request = item.retry
  if (!request) return
  item.state = 'sending'
  item.error = undefined
  let answer: Message
  try {
    answer = await withTimeout(transport(request), timeoutMs)
  } catch (e) {
    item.state = 'failed'
    item.error = failureText(e)
    return
  }
  sent(answer)
}

/**
 * What a failed send shows. The server's own answer is shown as it says (an HTTP error, or a
 * HubException, which SignalR reports as "... on the server. HubException: <words>"); anything else
 * never got an answer, so it is offline, whatever words it has.
 */
export function failureText(e: unknown): string {
  const text = errorText(e)
  const answered = (e instanceof ApiError && e.status > 0) || /on the server/.test(text)
  if (!answered) return offlineText
  const hub = text.indexOf('HubException: ')
  return hub >= 0 ? text.slice(hub + 'HubException: '.length) : text
}

/** Failed for lack of a connection, so worth sending again by itself once connected. */
export function isOffline(item: ChatItem): boolean {
  return item.state === 'failed' && !!item.retry && item.error === offlineText
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer from the server')), ms)
    promise.then(v => { clearTimeout(timer); resolve(v) }, e => { clearTimeout(timer); reject(e) })
  })
}
