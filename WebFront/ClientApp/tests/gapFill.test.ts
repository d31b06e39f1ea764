import { describe, expect, test } from 'vitest'
import { GapFill, gapPageSize } from '../src/lib/gapFill'
import { placeMessage } from '../src/lib/timeline'
import type { ChatItem, Message } from '../src/lib/types'
import { conversationId, held, me, message, shape } from './messages'

/** The server's side of one conversation: messages 1..lastSeq, with some seqs never committed; records every history request. */
class History {
  readonly requests: number[] = []
  lastSeq: number
  readonly missing = new Set<number>()
  /** While set, requests wait for `answer()`. */
  hold = false
  private waiting: (() => void)[] = []
  inFlight = 0
  mostInFlight = 0

  constructor(lastSeq: number) {
    this.lastSeq = lastSeq
  }

  async fetchAfter(id: string, afterSeq: number, limit: number): Promise<Message[]> {
    expect(id).toBe(conversationId)
    this.requests.push(afterSeq)
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight)
    // The page is what the server holds when it reads, whenever the answer arrives.
    const page: Message[] = []
    for (let seq = afterSeq + 1; seq <= this.lastSeq && page.length < limit; seq++) if (!this.missing.has(seq)) page.push(message(seq))
    if (this.hold) await new Promise<void>(r => this.waiting.push(r))
    this.inFlight--
    return page
  }

  answer() {
    this.hold = false
    for (const r of this.waiting.splice(0)) r()
  }
}

function loaded(history: History, list: ChatItem[], watermark: number) {
  const lists = new Map([[conversationId, list]])
  const gaps = new GapFill({
    fetchAfter: (id, after, limit) => history.fetchAfter(id, after, limit),
    lastSeq: () => history.lastSeq,
    items: id => lists.get(id),
    place: m => placeMessage(lists.get(m.conversationId)!, m, me),
  })
  gaps.begin(conversationId, watermark)
  return gaps
}

describe('gap fill', () => {
  test('A_live_message_after_a_hole_fetches_the_hole_from_the_watermark', async () => {
    const history = new History(6)
    const list = held(1, 2, 3)
    const gaps = loaded(history, list, 3)

    placeMessage(list, message(6), me) // 4 and 5 were lost live
    await gaps.arrived(message(6))

    expect(history.requests).toEqual([3])
    expect(shape(list)).toEqual([1, 2, 3, 4, 5, 6])
    expect(gaps.watermark(conversationId)).toBe(6)
  })

  test('The_next_message_in_a_row_moves_the_watermark_without_a_request', async () => {
    const history = new History(4)
    const list = held(1, 2, 3)
    const gaps = loaded(history, list, 3)

    placeMessage(list, message(4), me)
    await gaps.arrived(message(4))

    expect(history.requests).toEqual([])
    expect(gaps.watermark(conversationId)).toBe(4)
  })

  test('A_long_absence_is_fetched_page_by_page_from_where_each_page_ended', async () => {
    const history = new History(2 * gapPageSize + 50)
    const list = held(1)
    const gaps = loaded(history, list, 1)

    await gaps.fill(conversationId) // after Sync said lastSeq is 451

    expect(history.requests).toEqual([1, 1 + gapPageSize, 1 + 2 * gapPageSize])
    expect(list.length).toBe(2 * gapPageSize + 50)
    expect(gaps.watermark(conversationId)).toBe(2 * gapPageSize + 50)
  })

  test('A_conversation_that_lacks_nothing_is_not_fetched', async () => {
    const history = new History(3)
    const gaps = loaded(history, held(1, 2, 3), 3)
    await gaps.fill(conversationId)
    expect(history.requests).toEqual([])
  })

  test('A_conversation_whose_history_is_not_loaded_is_not_fetched', async () => {
    const history = new History(9)
    const gaps = loaded(history, held(), 0)
    gaps.forget(conversationId)
    await gaps.fill(conversationId)
    expect(history.requests).toEqual([])
  })

  test('A_seq_that_was_never_committed_is_passed_over_once_the_server_has_answered_after_it', async () => {
    const history = new History(6)
    history.missing.add(4) // its write failed and was never acknowledged
    const list = held(1, 2, 3)
    const gaps = loaded(history, list, 3)

    await gaps.fill(conversationId)

    expect(shape(list)).toEqual([1, 2, 3, 5, 6])
    expect(gaps.watermark(conversationId)).toBe(6)
  })

  test('A_message_whose_commit_raced_the_read_is_asked_for_again_later_not_in_a_loop', async () => {
    const history = new History(5)
    history.missing.add(5) // Sync said 5, but its commit is not visible yet
    const list = held(1, 2, 3)
    const gaps = loaded(history, list, 3)

    await gaps.fill(conversationId)
    expect(history.requests).toEqual([3])
    expect(gaps.watermark(conversationId)).toBe(4)

    history.missing.delete(5)
    await gaps.fill(conversationId) // the next catch-up
    expect(history.requests).toEqual([3, 4])
    expect(shape(list)).toEqual([1, 2, 3, 4, 5])
  })

  test('Fills_asked_for_while_one_runs_run_once_after_it_never_at_the_same_time', async () => {
    const history = new History(5)
    const list = held(1, 2, 3)
    const gaps = loaded(history, list, 3)
    history.hold = true

    const first = gaps.fill(conversationId)
    await Promise.resolve()
    history.lastSeq = 8 // more arrives while the first request is out
    const second = gaps.fill(conversationId)
    const third = gaps.fill(conversationId)
    history.answer()
    await Promise.all([first, second, third])

    expect(history.mostInFlight).toBe(1)
    expect(history.requests).toEqual([3, 5])
    expect(shape(list)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  test('A_page_that_comes_back_after_sign_out_is_dropped', async () => {
    const history = new History(6)
    const list = held(1, 2, 3)
    const gaps = loaded(history, list, 3)
    history.hold = true

    const fill = gaps.fill(conversationId)
    await Promise.resolve()
    gaps.clear()
    history.answer()
    await fill

    expect(shape(list)).toEqual([1, 2, 3])
    expect(gaps.watermark(conversationId)).toBeUndefined()
  })

  test('A_page_asked_for_before_sign_out_is_dropped_even_when_the_next_session_loads_the_conversation_again', async () => {
    const history = new History(6)
    const list = held(1, 2, 3)
    const gaps = loaded(history, list, 3)
    history.hold = true

    const fill = gaps.fill(conversationId)
    await Promise.resolve()
    gaps.clear()
    list.splice(0) // signed out; someone signs in and opens the same conversation
    gaps.begin(conversationId, 0)
    history.answer()
    await fill

    expect(shape(list)).toEqual([])
    expect(gaps.watermark(conversationId)).toBe(0)
  })
})
