// A conversation's messages as the page holds them: server messages ascending by seq, then our own
// sends still on their way (state 'sending' or 'failed', seq 0) in the order they were written.
// Live events and fetched pages may repeat or cross each other (docs/api.md: dedupe and order by
// seq); these functions keep the list in that shape whatever order they come in. Pure: the stores
// pass their reactive lists in, so every change shows.
import type { ChatItem, Message } from './types'

export function toItem(m: Message): ChatItem {
  return { ...m, state: 'sent' }
}

/**
 * Puts a server message in its place: instead of the copy with the same seq (unless that copy is
 * newer: a page fetched before an edit or recall must not undo it), or instead of our pending copy
 * (same clientMsgId from us), or inserted by seq before the pending ones.
 */
export function placeMessage(list: ChatItem[], m: Message, me: number): void {
  const same = list.findIndex(x => x.state === 'sent' && x.seq === m.seq)
  if (same >= 0) {
    if (!isOlder(m, list[same])) list[same] = toItem(m)
    return
  }
  if (m.senderId === me) {
    const pending = list.findIndex(x => x.state !== 'sent' && x.clientMsgId === m.clientMsgId)
    if (pending >= 0) list.splice(pending, 1)
  }
  let at = list.length
  while (at > 0 && (list[at - 1].state !== 'sent' || list[at - 1].seq > m.seq)) at--
  list.splice(at, 0, toItem(m))
}

/** An edit or recall of a message the list holds; one it does not hold is left to history. */
export function updateMessage(list: ChatItem[], m: Message): void {
  const i = list.findIndex(x => x.state === 'sent' && x.seq === m.seq)
  if (i >= 0 && !isOlder(m, list[i])) list[i] = toItem(m)
}

/**
 * A bot's reply while it streams: the text so far, for the reply the list holds as streaming.
 * False when the list does not hold that seq (fetch it); a reply held finished ignores it (a late event).
 */
export function growReply(list: ChatItem[], e: { seq: number; text: string }): boolean {
  const i = list.findIndex(x => x.state === 'sent' && x.seq === e.seq)
  if (i < 0) return false
  const held = list[i]
  if (held.status === 'streaming' && e.text.length >= held.text.length) list[i] = { ...held, text: e.text }
  return true
}

/** A recall is final, edits only move forward, and a reply only finishes, so a copy without them is an earlier state of the message. */
function isOlder(m: Message, held: Message): boolean {
  if (m.recalled) return false
  if (held.recalled) return true
  if (m.status === 'streaming') return held.status !== 'streaming' || m.text.length < held.text.length
  if (held.editedAt) return !m.editedAt || Date.parse(m.editedAt) < Date.parse(held.editedAt)
  return false
}

export function highestSeq(list: readonly ChatItem[] | undefined): number {
  if (!list) return 0
  for (let i = list.length - 1; i >= 0; i--) if (list[i].state === 'sent') return list[i].seq
  return 0
}

export function lowestSeq(list: readonly ChatItem[] | undefined): number {
  return list?.find(m => m.state === 'sent')?.seq ?? 0
}

export function findBySeq(list: readonly ChatItem[], seq: number | null | undefined): ChatItem | null {
  if (!seq) return null
  return list.find(m => m.state === 'sent' && m.seq === seq) ?? null
}

/**
 * The watermark moved over the seqs the list now holds in a row after it: from `done`, every next
 * seq that is there, stopping at the first hole.
 */
export function advanceWatermark(list: readonly ChatItem[], done: number): number {
  let i = list.length
  while (i > 0 && (list[i - 1].state !== 'sent' || list[i - 1].seq > done)) i--
  for (; i < list.length; i++) {
    const item = list[i]
    if (item.state !== 'sent' || item.seq <= done) continue
    if (item.seq !== done + 1) break
    done = item.seq
  }
  return done
}
