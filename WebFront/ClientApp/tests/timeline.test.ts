import { describe, expect, test } from 'vitest'
import { advanceWatermark, placeMessage, updateMessage } from '../src/lib/timeline'
import { pendingItem } from '../src/lib/outbox'
import { conversationId, held, me, message, peer, shape } from './messages'

describe('ordering and merging by seq', () => {
  test('Messages_arriving_out_of_order_are_held_ascending_by_seq', () => {
    const list = held()
    for (const seq of [5, 2, 9, 1, 7]) placeMessage(list, message(seq), me)
    expect(shape(list)).toEqual([1, 2, 5, 7, 9])
  })

  test('A_seq_that_arrives_live_and_again_in_a_fetched_page_is_held_once', () => {
    const list = held(1, 2, 3)
    placeMessage(list, message(4), me) // live
    for (const m of [message(3), message(4), message(5)]) placeMessage(list, m, me) // the page of a gap fill
    expect(shape(list)).toEqual([1, 2, 3, 4, 5])
  })

  test('Our_acknowledged_message_takes_the_place_of_its_pending_copy_and_goes_before_the_still_pending_ones', () => {
    const list = held(1, 2)
    list.push(pendingItem({ conversationId, clientMsgId: 'a', kind: 'text', text: 'first' }, me))
    list.push(pendingItem({ conversationId, clientMsgId: 'b', kind: 'text', text: 'second' }, me))
    placeMessage(list, message(3), me) // someone else's, meanwhile
    placeMessage(list, message(4, { senderId: me, clientMsgId: 'a', text: 'first' }), me)
    expect(shape(list)).toEqual([1, 2, 3, 4, 'sending:b'])
  })

  test('Someone_elses_message_with_our_clientMsgId_leaves_our_pending_copy_alone', () => {
    const list = held(1)
    list.push(pendingItem({ conversationId, clientMsgId: 'x', kind: 'text', text: 'mine' }, me))
    placeMessage(list, message(2, { senderId: peer, clientMsgId: 'x' }), me)
    expect(shape(list)).toEqual([1, 2, 'sending:x'])
  })

  test('A_page_fetched_before_an_edit_does_not_undo_the_edit_that_arrived_live', () => {
    const list = held(1, 2)
    updateMessage(list, message(2, { text: 'corrected', editedAt: '2026-01-01T13:00:00Z' }))
    placeMessage(list, message(2), me) // the older copy, from a page that was on its way
    expect(list[1].text).toBe('corrected')
    placeMessage(list, message(2, { text: 'corrected again', editedAt: '2026-01-01T13:05:00Z' }), me)
    expect(list[1].text).toBe('corrected again')
  })

  test('A_recall_stays_recalled_whatever_older_copy_comes_after_it', () => {
    const list = held(1, 2)
    updateMessage(list, message(2, { text: 'edited', editedAt: '2026-01-01T13:00:00Z' }))
    updateMessage(list, message(2, { text: '', recalled: true }))
    placeMessage(list, message(2, { text: 'edited', editedAt: '2026-01-01T13:00:00Z' }), me)
    expect(list[1]).toMatchObject({ recalled: true, text: '' })
  })

  test('An_update_of_a_message_the_page_does_not_hold_is_not_added', () => {
    const list = held(5, 6)
    updateMessage(list, message(2, { text: 'edited', editedAt: '2026-01-01T13:00:00Z' }))
    expect(shape(list)).toEqual([5, 6])
  })
})

describe('the watermark', () => {
  test('Moves_over_held_seqs_in_a_row_and_stops_at_the_first_hole', () => {
    expect(advanceWatermark(held(1, 2, 3, 4, 6, 7), 2)).toBe(4)
  })

  test('Ignores_pending_sends_and_seqs_it_has_passed', () => {
    const list = held(3, 4, 5)
    list.push(pendingItem({ conversationId, clientMsgId: 'p', kind: 'text', text: 'on its way' }, me))
    expect(advanceWatermark(list, 4)).toBe(5)
    expect(advanceWatermark(list, 9)).toBe(9)
  })

  test('Stays_where_it_is_when_the_next_seq_is_missing', () => {
    expect(advanceWatermark(held(1, 2, 5), 2)).toBe(2)
  })
})
