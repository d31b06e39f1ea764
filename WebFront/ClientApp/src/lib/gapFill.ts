// Live events are the fast path, not the guarantee (docs/api.md): one can be lost while the server
// rebuilds a delivery route, or race a reconnect. So each loaded conversation has a watermark, the
// seq through which the page holds every message in a row, and whatever lies past it (a live message
// after a hole, a lastSeq from Sync) is fetched from history by seq. Pure: the messages store gives
// it the history route and its lists.
import type { ChatItem, Message } from './types'
import { advanceWatermark, highestSeq } from './timeline'

/** Messages asked for per history request (the server's largest page). */
export const gapPageSize = 200
/** A fill stops after this many full pages; the next event, Sync or catch-up goes on from there. */
const maxPagesPerFill = 20

export interface GapSource {
  /** History after `afterSeq`, ascending, at most `limit` messages. */
  fetchAfter(conversationId: string, afterSeq: number, limit: number): Promise<Message[]>
  /** The newest seq the server has said the conversation has (its lastSeq), 0 for none or unknown. */
  lastSeq(conversationId: string): number
  /** The conversation's loaded list, or undefined when it is not loaded. */
  items(conversationId: string): ChatItem[] | undefined
  /** Puts a fetched message in its place in the list. */
  place(m: Message): void
}

export class GapFill {
  private readonly watermarks = new Map<string, number>()
  private readonly running = new Map<string, Promise<void>>()
  private readonly again = new Set<string>()
  /** Moves on at every clear, so a page that was on its way then is dropped. */
  private generation = 0

  constructor(private readonly source: GapSource) {}

  /** The seq through which every message is held; undefined while the conversation's history is not loaded. */
  watermark(conversationId: string): number | undefined {
    return this.watermarks.get(conversationId)
  }

  /** History was loaded through `seq` (the newest page's last seq, 0 for an empty conversation). */
  begin(conversationId: string, seq: number): void {
    this.watermarks.set(conversationId, seq)
    this.advance(conversationId)
  }

  forget(conversationId: string): void {
    this.watermarks.delete(conversationId)
    this.running.delete(conversationId)
    this.again.delete(conversationId)
  }

  clear(): void {
    this.generation++
    this.watermarks.clear()
    this.running.clear()
    this.again.clear()
  }

  /** Moves the watermark over the seqs the list now holds in a row. */
  advance(conversationId: string): void {
    const list = this.source.items(conversationId)
    const done = this.watermarks.get(conversationId)
    if (list && done !== undefined) this.watermarks.set(conversationId, advanceWatermark(list, done))
  }

  /** A server message was placed: the watermark moves, and a hole before the message is fetched. */
  arrived(m: Message): Promise<void> {
    this.advance(m.conversationId)
    const done = this.watermarks.get(m.conversationId)
    return done !== undefined && m.seq > done ? this.fill(m.conversationId) : Promise.resolve()
  }

  /**
   * Fetches what a loaded conversation lacks after its watermark. One fetch per conversation at a
   * time: a call while one runs returns that one, which then runs once more.
   */
  fill(conversationId: string): Promise<void> {
    const running = this.running.get(conversationId)
    if (running) {
      this.again.add(conversationId)
      return running
    }
    const fill: Promise<void> = this.run(conversationId, this.generation).finally(() => {
      if (this.running.get(conversationId) === fill) this.running.delete(conversationId)
    })
    this.running.set(conversationId, fill)
    return fill
  }

  private async run(id: string, generation: number): Promise<void> {
    do {
      this.again.delete(id)
      await this.fillOnce(id, generation)
    } while (this.again.has(id) && generation === this.generation)
  }

  private async fillOnce(id: string, generation: number): Promise<void> {
    for (let page = 0; page < maxPagesPerFill; page++) {
      const after = this.watermarks.get(id)
      const known = Math.max(this.source.lastSeq(id), highestSeq(this.source.items(id)))
      if (after === undefined || known <= after) return
      const messages = await this.source.fetchAfter(id, after, gapPageSize)
      if (generation !== this.generation || this.watermarks.get(id) === undefined) return // signed out or forgotten meanwhile
      for (const m of messages) this.source.place(m)
      // The server answered with every message after `after` that it had (a seq never committed is
      // never there), so the page's last seq is held through, whatever the list looked like before.
      if (messages.length) this.watermarks.set(id, Math.max(this.watermarks.get(id)!, messages[messages.length - 1].seq))
      this.advance(id)
      // Nothing more although a later seq is known: that message's commit raced this read. The next
      // message, Sync or catch-up asks again rather than looping here.
      if (messages.length < gapPageSize) return
    }
  }
}
