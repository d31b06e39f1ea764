// The account routes of the fake server (docs/api.md "Your account"), with the tokens they revoke:
// each token belongs to one session, and a revoked token gets 401 from every route and the hub.
import type { SignedInSession } from '../src/lib/types'
import type { FakeServer } from './fakeServer'

export class FakeAccount {
  password = 'secret-pw'
  readonly revoked = new Set<string>()
  readonly sessions: SignedInSession[] = []
  /** Which session each token belongs to. */
  readonly tokens = new Map<string, string>()
  deleted = false
  /** Set to hold the password change's answer (already decided and revoking) until released. */
  holdPasswordAnswer = false
  releasePasswordAnswer: (() => void) | null = null
  /** The Authorization header of each export request. */
  readonly exportAuthorizations: (string | undefined)[] = []
  private issued = 0

  constructor(private readonly server: FakeServer) {}

  /** A new sign-in: its session, and its token. */
  signIn(userAgent: string, address = '192.0.2.1'): string {
    const id = `5e55${++this.issued}`.padEnd(8, '0') + '-0000-4000-8000-000000000000'
    const token = `token-${this.issued}`
    const at = new Date(Date.UTC(2026, 0, 1, 9, this.issued)).toISOString()
    this.sessions.unshift({ id, createdAt: at, lastSeenAt: at, expiresAt: '2026-02-01T09:00:00Z', userAgent, address, current: false })
    this.tokens.set(token, id)
    return token
  }

  /** Ends sessions and revokes their tokens; the hub connection opened with one is closed, as the server does. */
  end(which: (sessionId: string) => boolean) {
    for (const [token, id] of this.tokens) if (which(id)) this.revoked.add(token)
    this.sessions.splice(0, this.sessions.length, ...this.sessions.filter(s => !which(s.id)))
    const connection = this.server.connection
    if (connection.token && this.revoked.has(connection.token)) connection.serverClose()
  }

  async answer(method: string, path: string, body: unknown, token: string | undefined): Promise<Response | undefined> {
    const mine = token ? this.tokens.get(token) : undefined
    let m: RegExpMatchArray | null
    if (method === 'POST' && path === '/api/v1/users/me/password') {
      const { currentPassword, newPassword } = body as { currentPassword: string; newPassword: string }
      if (currentPassword !== this.password) return problem(403, 'currentPassword is not this account\'s password')
      if (newPassword.length < 6) return problem(400, 'newPassword must be 6-64 characters')
      this.password = newPassword
      const next = `token-${++this.issued}`
      this.tokens.set(next, mine!)
      this.revoked.add(token!)
      this.end(id => id !== mine)
      if (this.holdPasswordAnswer) await new Promise<void>(resolve => { this.releasePasswordAnswer = resolve })
      return json({ userId: this.server.me.id, token: next, user: this.server.me, mustChangePassword: false })
    }
    if (method === 'GET' && path === '/api/v1/users/me/sessions') return json(this.sessions.map(s => ({ ...s, current: s.id === mine })))
    if ((m = path.match(/^\/api\/v1\/users\/me\/sessions\/([^/]+)$/)) && method === 'DELETE') {
      if (!this.sessions.some(s => s.id === m![1])) return problem(404, 'no session with this id')
      this.end(id => id === m![1])
      return new Response(null, { status: 204 })
    }
    if (method === 'DELETE' && path === '/api/v1/users/me') {
      if ((body as { password?: string })?.password !== this.password) return problem(403, 'password is not this account\'s password')
      this.deleted = true
      this.end(() => true)
      return new Response(null, { status: 204 })
    }
    if (method === 'GET' && path === '/api/v1/users/me/export') {
      this.exportAuthorizations.push(token && `Bearer ${token}`)
      const me = this.server.me
      return new Response(JSON.stringify({ exportedAt: new Date().toISOString(), profile: me, contacts: this.server.contacts, messages: [] }), {
        status: 200, headers: { 'Content-Type': 'application/json', 'Content-Disposition': `attachment; filename="gochat-export-${me.id}.json"` },
      })
    }
    if (method === 'GET' && path === '/api/v1/users/me') return json(this.server.me)
    return undefined
  }
}

export function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
}

export function problem(status: number, detail: string): Response {
  return new Response(JSON.stringify({ status, detail }), { status, headers: { 'Content-Type': 'application/problem+json' } })
}
