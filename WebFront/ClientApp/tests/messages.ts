// Messages for the unit tests, as the server would send them.
import type { ChatItem, Message } from '../src/lib/types'
import { toItem } from '../src/lib/timeline'

export const me = 1
export const peer = 2
export const conversationId = 'd:1:2'

export function message(seq: number, fields: Partial<Message> = {}): Message {
  return {
    id: 1000 + seq, conversationId, seq, senderId: peer, kind: 'text', text: `message ${seq}`, media: null,
    replyToSeq: null, clientMsgId: `c${seq}`, sentAt: new Date(Date.UTC(2026, 0, 1, 12, 0, seq)).toISOString(),
    editedAt: null, recalled: false, ...fields,
  }
}

/** A list holding these seqs, as the page would after loading them. */
export function held(...seqs: number[]): ChatItem[] {
  return seqs.map(s => toItem(message(s)))
}

/** The seqs a list holds in order, with '<state>:<clientMsgId>' for our sends still on their way. */
export function shape(list: readonly ChatItem[]): (number | string)[] {
  return list.map(x => (x.state === 'sent' ? x.seq : `${x.state}:${x.clientMsgId}`))
}
