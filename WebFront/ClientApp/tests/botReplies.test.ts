import { describe, expect, test } from 'vitest'
import { growReply, placeMessage, updateMessage } from '../src/lib/timeline'
import { held, me, message } from './messages'

describe("a bot's streamed reply", () => {
  test('A_streaming_reply_grows_in_place_with_each_event', () => {
    const list = held(1)
    placeMessage(list, message(2, { text: '', status: 'streaming' }), me)
    expect(growReply(list, { seq: 2, text: 'Hel' })).toBe(true)
    expect(growReply(list, { seq: 2, text: 'Hello wor' })).toBe(true)
    expect(list[1].text).toBe('Hello wor')
    expect(list[1].status).toBe('streaming')
  })

  test('A_late_streaming_event_never_undoes_the_final_text', () => {
    const list = held(1)
    placeMessage(list, message(2, { text: '', status: 'streaming' }), me)
    updateMessage(list, message(2, { text: 'Hello world.', status: null }))
    growReply(list, { seq: 2, text: 'Hello' })
    placeMessage(list, message(2, { text: '', status: 'streaming' }), me) // a page fetched before it finished
    expect(list[1].text).toBe('Hello world.')
    expect(list[1].status).toBeNull()
  })

  test('A_fetched_copy_of_a_reply_still_streaming_does_not_shorten_what_the_page_shows', () => {
    const list = held(1)
    placeMessage(list, message(2, { text: '', status: 'streaming' }), me)
    growReply(list, { seq: 2, text: 'Hello wor' })
    placeMessage(list, message(2, { text: '', status: 'streaming' }), me)
    expect(list[1].text).toBe('Hello wor')
  })

  test('A_streaming_event_for_a_reply_the_page_does_not_hold_asks_for_a_fetch', () => {
    const list = held(1)
    expect(growReply(list, { seq: 2, text: 'Hi' })).toBe(false)
    expect(list).toHaveLength(1)
  })

  test('A_stopped_or_failed_reply_is_final', () => {
    const list = held(1)
    placeMessage(list, message(2, { text: '', status: 'streaming' }), me)
    updateMessage(list, message(2, { text: 'Hel', status: 'stopped' }))
    growReply(list, { seq: 2, text: 'Hello' })
    expect(list[1]).toMatchObject({ text: 'Hel', status: 'stopped' })
  })
})
