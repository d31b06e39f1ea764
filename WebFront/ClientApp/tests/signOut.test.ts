// @vitest-environment happy-dom
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { useAccount } from '../src/stores/account'
import { useAdmin } from '../src/stores/admin'
import { useChat } from '../src/stores/chat'
import { useConversations } from '../src/stores/conversations'
import { useGroups } from '../src/stores/groups'
import { useLink } from '../src/stores/link'
import { useMessages } from '../src/stores/messages'
import { usePeople } from '../src/stores/people'
import { useTyping } from '../src/stores/typing'
import type { Conversation, Message } from '../src/lib/types'
import { FakeServer, user } from './fakeServer'

const ann = user(1, 'Ann')
const pia = user(2, 'Pia')
const tom = user(3, 'Tom')
let server: FakeServer

vi.mock('@microsoft/signalr', () => ({
  LogLevel: { None: 6 },
  HubConnectionBuilder: class {
    withUrl() { return this }
    withAutomaticReconnect() { return this }
    configureLogging() { return this }
    build() { return server.connection }
  },
}))

function message(conversationId: string, seq: number, senderId: number): Message {
  return {
    id: seq, conversationId, seq, senderId, kind: 'text', text: `${conversationId} #${seq}`, media: null, replyToSeq: null,
    clientMsgId: `${conversationId}-${seq}`, sentAt: new Date(Date.UTC(2026, 0, 1, 9, seq)).toISOString(), editedAt: null, recalled: false,
  }
}

function direct(): Conversation {
  return { id: 'd:1:2', kind: 'direct', title: 'Pia', peer: { ...pia }, groupId: null, lastSeq: 0, readSeq: 0, unread: 2, peerReadSeq: 1 }
}

function group(): Conversation {
  return { id: 'g:7', kind: 'group', title: 'Climbers', peer: null, groupId: 7, lastSeq: 0, readSeq: 0, unread: 1 }
}

/** Every store's state, Maps as entry lists so they compare by content. */
function snapshot(pinia: Pinia): Record<string, unknown> {
  const { session: _signIn, ...stores } = JSON.parse(JSON.stringify(pinia.state.value, (_, v) => (v instanceof Map ? [...v.entries()] : v)))
  return stores
}

function signIn(): Pinia {
  localStorage.setItem('gochat.session', JSON.stringify({ userId: ann.id, token: 'token-of-ann', user: ann }))
  const pinia = createPinia()
  setActivePinia(pinia)
  return pinia
}

beforeEach(() => {
  server = new FakeServer(ann)
  server.contacts = [{ ...pia }]
  server.add(direct(), [message('d:1:2', 1, 1), message('d:1:2', 2, 2), message('d:1:2', 3, 2)])
  server.add(group(), [message('g:7', 1, 3), message('g:7', 2, 2)])
  server.groups.set(7, { id: 7, name: 'Climbers', description: '', iconUrl: null, ownerId: 3, memberCount: 3, conversationId: 'g:7',
    members: [{ user: { ...ann }, role: 'member' }, { user: { ...pia }, role: 'member' }, { user: { ...tom }, role: 'owner' }] })
  vi.stubGlobal('fetch', server.fetch)
  localStorage.clear()
})

afterEach(async () => {
  await useChat().stop()
  vi.unstubAllGlobals()
})

describe('signing out', () => {
  test('Signing_out_leaves_nothing_of_the_user_in_any_store', async () => {
    const pinia = signIn()
    const chat = useChat()
    const before = snapshot(pinia)

    // A session that touched every store: connected, both conversations open, a group loaded,
    // someone typing, a message sent, the page on screen.
    await chat.start()
    const conversations = useConversations()
    conversations.viewing = true
    await chat.open('g:7')
    await useGroups().load(7)
    await chat.open('d:1:2')
    await useMessages().send('d:1:2', { kind: 'text', text: 'see you' })
    server.connection.raise('typing', { conversationId: 'g:7', userId: tom.id })
    server.connection.raise('read', { conversationId: 'd:1:2', userId: pia.id, seq: 4 })
    server.connection.raise('callRinging', {
      callId: 'c1', conversationId: 'd:1:2', media: 'video', callerId: pia.id, state: 'ringing', outcome: null,
      participants: [{ userId: pia.id, state: 'joined' }, { userId: ann.id, state: 'ringing' }],
      startedAt: new Date().toISOString(), acceptedAt: null, endedAt: null, version: 1,
    })
    await usePeople().user(99)
    await useAdmin().find('p')
    await useAdmin().resetPassword(pia.id)
    server.account.signIn('Mozilla/5.0 (Android 15; Mobile) Firefox/140.0')
    await useAccount().loadSessions()
    const during = snapshot(pinia)
    for (const [store, state] of Object.entries(during))
      if (Object.keys(state as object).length) expect.soft(state, `${store} was used`).not.toEqual(before[store])
    expect(useLink().state).toBe('connected')
    expect(useTyping().typingIn('g:7')).toEqual([tom.id])

    await chat.stop()

    expect(snapshot(pinia)).toEqual(before)
    expect(document.title).toBe('GoChat')
  })

  test('The_next_user_to_sign_in_on_the_page_loads_a_conversation_afresh_not_from_the_last_ones_watermark', async () => {
    signIn()
    const chat = useChat()
    await chat.start()
    await chat.open('d:1:2')
    await chat.stop()

    server.requests.length = 0
    await chat.start()
    await chat.open('d:1:2')

    expect(server.requests).toContain('GET /api/v1/conversations/d%3A1%3A2/messages?limit=50')
    expect(useMessages().lists.get('d:1:2')?.map(m => m.seq)).toEqual([1, 2, 3])
  })

  test('A_group_left_and_joined_again_shows_its_history_when_opened', async () => {
    signIn()
    const chat = useChat()
    await chat.start()
    await chat.open('g:7')
    await useGroups().leave(7, 'g:7')
    expect(useConversations().activeId).toBeNull()

    server.connection.raise('conversationUpdated', { ...group(), lastSeq: 2 }) // added again
    await chat.open('g:7')

    expect(useMessages().lists.get('g:7')?.map(m => m.seq)).toEqual([1, 2])
  })
})

describe('live events through the typed table', () => {
  test('A_live_message_after_a_lost_one_fetches_the_lost_one', async () => {
    signIn()
    const chat = useChat()
    await chat.start()
    await chat.open('d:1:2')
    server.history.get('d:1:2')!.push(message('d:1:2', 4, 2), message('d:1:2', 5, 2))

    server.connection.raise('message', message('d:1:2', 5, 2)) // 4 was lost live
    await vi.waitFor(() => expect(useMessages().lists.get('d:1:2')?.map(m => m.seq)).toEqual([1, 2, 3, 4, 5]))

    expect(server.requests).toContain('GET /api/v1/conversations/d%3A1%3A2/messages?afterSeq=3&limit=200')
    expect(useConversations().byId.get('d:1:2')?.lastSeq).toBe(5)
  })

  test('Presence_moves_the_friend_and_the_direct_conversations_peer', async () => {
    signIn()
    const chat = useChat()
    await chat.start()

    server.connection.raise('presence', { userId: pia.id, online: false })

    expect(usePeople().contacts[0].online).toBe(false)
    expect(useConversations().byId.get('d:1:2')?.peer?.online).toBe(false)
  })
})
