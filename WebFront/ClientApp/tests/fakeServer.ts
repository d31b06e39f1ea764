// Just enough of GoChat's native API and hub for the store tests, in memory: the stores run as in
// the page, with fetch and the SignalR connection answered here instead of over the network.
import type { HubEventName, HubEvents } from '../src/lib/events'
import type { AdminUser, Conversation, Group, Message, SendRequest, User } from '../src/lib/types'
import { FakeAccount, problem } from './fakeAccount'

export function user(id: number, name: string): User {
  return { id, username: name.toLowerCase(), displayName: name, avatarUrl: null, signature: null, online: true, isBot: false }
}

export class FakeServer {
  readonly conversations: Conversation[] = []
  readonly history = new Map<string, Message[]>()
  readonly groups = new Map<number, Group>()
  contacts: User[] = []
  /** Every request, as 'GET /api/v1/...'. */
  readonly requests: string[] = []
  readonly connection = new FakeConnection(this)
  readonly account = new FakeAccount(this)

  constructor(readonly me: User) {}

  add(c: Conversation, messages: Message[]) {
    this.conversations.push(c)
    this.history.set(c.id, messages)
    c.lastSeq = messages.length ? messages[messages.length - 1].seq : 0
    c.lastMessage = messages[messages.length - 1] ?? null
  }

  send(request: SendRequest): Message {
    const list = this.history.get(request.conversationId)!
    const m: Message = {
      id: 9000 + list.length, conversationId: request.conversationId, seq: list.length + 1, senderId: this.me.id, kind: request.kind,
      text: request.text ?? '', media: null, replyToSeq: request.replyToSeq ?? null, clientMsgId: request.clientMsgId,
      sentAt: new Date().toISOString(), editedAt: null, recalled: false,
    }
    list.push(m)
    return m
  }

  readonly fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET'
    const url = new URL(input, 'http://gochat.test')
    this.requests.push(`${method} ${url.pathname}${url.search}`)
    const path = decodeURIComponent(url.pathname)
    const query = url.searchParams
    const token = (init?.headers as Record<string, string> | undefined)?.Authorization?.replace(/^Bearer /, '')
    if (token && this.account.revoked.has(token)) return problem(401, 'the token was revoked')
    const answer = await this.account.answer(method, path, typeof init?.body === 'string' ? JSON.parse(init.body) : undefined, token)
    if (answer) return answer
    let m: RegExpMatchArray | null
    if (method === 'GET' && path === '/api/v1/contacts') return json(this.contacts)
    if (method === 'GET' && path === '/api/v1/conversations') return json(this.conversations)
    if ((m = path.match(/^\/api\/v1\/conversations\/([^/]+)\/messages$/)) && method === 'GET') {
      const all = this.history.get(m[1]) ?? []
      const limit = Number(query.get('limit') ?? 50)
      if (query.has('afterSeq')) return json(all.filter(x => x.seq > Number(query.get('afterSeq'))).slice(0, limit))
      const before = query.has('beforeSeq') ? all.filter(x => x.seq < Number(query.get('beforeSeq'))) : all
      return json(before.slice(-limit))
    }
    if (path.match(/^\/api\/v1\/conversations\/[^/]+\/read$/) && method === 'POST') return new Response(null, { status: 204 })
    if ((m = path.match(/^\/api\/v1\/groups\/(\d+)$/)) && method === 'GET') return json(this.groups.get(Number(m[1])))
    if (path.match(/^\/api\/v1\/groups\/\d+\/members\/\d+$/) && method === 'DELETE') return new Response(null, { status: 204 })
    if ((m = path.match(/^\/api\/v1\/users\/(\d+)$/)) && method === 'GET') return json(user(Number(m[1]), `User${m[1]}`))
    if (method === 'GET' && path === '/api/v1/admin/users') return json(this.contacts.map(adminView))
    if (method === 'GET' && path === '/api/v1/admin/audit') return json([])
    if ((m = path.match(/^\/api\/v1\/admin\/users\/(\d+)\/reset-password$/)) && method === 'POST') return json({ userId: Number(m[1]), oneTimePassword: 'one-time-pw' })
    return new Response(JSON.stringify({ detail: `no fake for ${method} ${path}` }), { status: 404 })
  }
}

export function adminView(u: User): AdminUser {
  return {
    id: u.id, username: u.username, displayName: u.displayName, isBot: u.isBot, isAdmin: false, disabled: false, mustChangePassword: false,
    deleted: false, createdAt: '2026-01-01T09:00:00Z', lastSignInAt: null,
  }
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
}

type Handler = (payload: never) => void

/** The hub connection the link store builds, connected to the fake server; `raise` sends an event as the server would. */
export class FakeConnection {
  state = 'Disconnected'
  serverTimeoutInMilliseconds = 0
  keepAliveIntervalInMilliseconds = 0
  private readonly handlers = new Map<string, Set<Handler>>()
  private readonly closed = new Set<(error?: Error) => void>()
  /** The link's accessTokenFactory, when the test's SignalR mock hands it over; the token of the open connection. */
  tokenFactory: (() => string) | null = null
  token: string | null = null
  /** The token each successful start used. */
  readonly startedWith: string[] = []

  constructor(private readonly server: FakeServer) {}

  on(name: string, handler: Handler) {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set())
    this.handlers.get(name)!.add(handler)
  }

  off(name: string, handler: Handler) {
    this.handlers.get(name)?.delete(handler)
  }

  raise<K extends HubEventName>(name: K, payload: HubEvents[K]) {
    for (const handler of this.handlers.get(name) ?? []) (handler as (p: HubEvents[K]) => void)(payload)
  }

  onreconnecting() {}
  onreconnected() {}
  onclose(handler: (error?: Error) => void) {
    this.closed.add(handler)
  }

  /** Negotiation refuses a revoked token (401), as the hub does. */
  async start() {
    const token = this.tokenFactory?.() ?? null
    if (token && this.server.account.revoked.has(token)) throw new Error('Failed to complete negotiation with the server: Error: Unauthorized: Status code \'401\'')
    this.token = token
    if (token) this.startedWith.push(token)
    this.state = 'Connected'
  }

  async stop() {
    this.state = 'Disconnected'
  }

  /** The server aborts the connection (its token was revoked): the client sees it close. */
  serverClose() {
    this.state = 'Disconnected'
    this.token = null
    for (const handler of this.closed) handler(new Error('Server timeout elapsed without receiving a message from the server.'))
  }

  async invoke(method: string, ...args: unknown[]): Promise<unknown> {
    switch (method) {
      case 'Sync': return this.server.conversations.map(c => ({ ...c }))
      case 'SendMessage': return this.server.send(args[0] as SendRequest)
      default: return undefined
    }
  }
}
