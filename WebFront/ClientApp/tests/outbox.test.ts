import { afterEach, describe, expect, test, vi } from 'vitest'
import { ApiError } from '../src/lib/api'
import { deliver, isOffline, offlineText, pendingItem } from '../src/lib/outbox'
import { placeMessage } from '../src/lib/timeline'
import type { ChatItem, Message, SendRequest } from '../src/lib/types'
import { conversationId, held, me, message, shape } from './messages'

/** A server that stores what it is sent, keeping one message per clientMsgId as the real one does. */
class Server {
  readonly stored = new Map<string, Message>()
  readonly received: SendRequest[] = []
  failWith: unknown = null
  private nextSeq = 10

  readonly send = async (request: SendRequest): Promise<Message> => {
    this.received.push(request)
    if (this.failWith) throw this.failWith
    let m = this.stored.get(request.clientMsgId)
    if (!m) {
      m = message(this.nextSeq++, { senderId: me, clientMsgId: request.clientMsgId, text: request.text ?? '' })
      this.stored.set(request.clientMsgId, m)
    }
    return m
  }
}

function compose(list: ChatItem[], clientMsgId: string, text: string): ChatItem {
  list.push(pendingItem({ conversationId, clientMsgId, kind: 'text', text }, me))
  return list[list.length - 1]
}

const hubRefusal = new Error("An unexpected error occurred invoking 'SendMessage' on the server. HubException: the database is not reachable just now; try again")

afterEach(() => vi.useRealTimers())

describe('the outbox', () => {
  test('A_message_shows_at_once_as_sending_and_is_replaced_by_the_stored_message_when_acknowledged', async () => {
    const server = new Server()
    const list = held(1, 2)
    const item = compose(list, 'a', 'hello')
    expect(shape(list)).toEqual([1, 2, 'sending:a'])

    await deliver(item, server.send, m => placeMessage(list, m, me))

    expect(shape(list)).toEqual([1, 2, 10])
    expect(list[2].text).toBe('hello')
  })

  test('A_refusal_from_the_server_shows_its_words_and_is_not_sent_again_by_itself', async () => {
    const server = new Server()
    server.failWith = new ApiError(403, 'You are not a member of this conversation.')
    const item = compose(held(), 'a', 'hello')

    await deliver(item, server.send, () => {})

    expect(item.state).toBe('failed')
    expect(item.error).toBe('You are not a member of this conversation.')
    expect(isOffline(item)).toBe(false)
  })

  test('A_hub_error_that_mentions_reachability_is_the_servers_answer_not_a_lost_connection', async () => {
    const server = new Server()
    server.failWith = hubRefusal
    const item = compose(held(), 'a', 'hello')

    await deliver(item, server.send, () => {})

    expect(item.error).toBe('the database is not reachable just now; try again')
    expect(isOffline(item)).toBe(false)
  })

  test('A_send_that_got_no_answer_is_marked_offline', async () => {
    for (const lost of [new ApiError(0, 'The server cannot be reached. Check your connection.'),
      new Error('Invocation canceled due to the underlying connection being closed.')]) {
      const server = new Server()
      server.failWith = lost
      const item = compose(held(), 'a', 'hello')
      await deliver(item, server.send, () => {})
      expect(item.error).toBe(offlineText)
      expect(isOffline(item)).toBe(true)
    }
  })

  test('A_send_the_server_never_answers_fails_as_offline_after_the_timeout', async () => {
    vi.useFakeTimers()
    const item = compose(held(), 'a', 'hello')
    const sending = deliver(item, () => new Promise<Message>(() => {}), () => {}, 15000)
    await vi.advanceTimersByTimeAsync(14999)
    expect(item.state).toBe('sending')
    await vi.advanceTimersByTimeAsync(1)
    await sending
    expect(isOffline(item)).toBe(true)
  })

  test('After_a_reconnect_only_the_offline_sends_go_again_each_with_its_own_clientMsgId', async () => {
    const server = new Server()
    const list = held(1)
    const refused = compose(list, 'refused', 'not allowed')
    server.failWith = new ApiError(400, 'Text is too long.')
    await deliver(refused, server.send, m => placeMessage(list, m, me))
    server.failWith = new Error('WebSocket closed with status code: 1006 (no reason given).')
    for (const [id, text] of [['x', 'one'], ['y', 'two']]) await deliver(compose(list, id, text), server.send, m => placeMessage(list, m, me))
    server.received.length = 0
    server.failWith = null

    for (const item of list.filter(isOffline)) await deliver(item, server.send, m => placeMessage(list, m, me))

    expect(server.received.map(r => r.clientMsgId)).toEqual(['x', 'y'])
    expect(shape(list)).toEqual([1, 10, 11, 'failed:refused'])
  })

  test('A_send_whose_answer_was_lost_and_that_is_sent_again_is_stored_once', async () => {
    const server = new Server()
    const list = held(1)
    const item = compose(list, 'once', 'only one copy')
    // The server stored it, but the answer never came back.
    await deliver(item, async r => { await server.send(r); throw new Error('WebSocket closed with status code: 1006.') }, () => {})
    expect(isOffline(item)).toBe(true)

    await deliver(item, server.send, m => placeMessage(list, m, me))

    expect(server.received.map(r => r.clientMsgId)).toEqual(['once', 'once'])
    expect(server.stored.size).toBe(1)
    expect(shape(list)).toEqual([1, 10])
  })
})
