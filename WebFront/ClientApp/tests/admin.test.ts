// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { auditPage, useAdmin } from '../src/stores/admin'
import type { AdminUser, AuditEntry } from '../src/lib/types'

/** The admin routes in memory, as the server answers them (docs/api.md "Administration"). */
class AdminServer {
  readonly requests: string[] = []
  users: AdminUser[] = [account(2, 'pia'), account(3, 'tom'), account(4, 'tess')]
  audit: AuditEntry[] = []
  /** Held answers for searches, to answer them out of order. */
  readonly held = new Map<string, () => void>()
  holdSearches = false
  refuse: { status: number; detail: string } | null = null

  readonly fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET'
    const url = new URL(input, 'http://gochat.test')
    this.requests.push(`${method} ${url.pathname}${url.search}`)
    if (this.refuse && method !== 'GET') return problem(this.refuse.status, this.refuse.detail)
    let m: RegExpMatchArray | null
    if (method === 'GET' && url.pathname === '/api/v1/admin/users') {
      const prefix = (url.searchParams.get('search') ?? '').toLowerCase()
      const found = this.users.filter(u => u.username.startsWith(prefix))
      if (!this.holdSearches) return json(found)
      return new Promise(resolve => this.held.set(prefix, () => resolve(json(found))))
    }
    if (method === 'GET' && url.pathname === '/api/v1/admin/audit') {
      const before = Number(url.searchParams.get('before') ?? Infinity)
      const limit = Number(url.searchParams.get('limit') ?? 50)
      return json(this.audit.filter(a => a.id < before).slice(0, limit))
    }
    if ((m = url.pathname.match(/^\/api\/v1\/admin\/users\/(\d+)\/(disable|enable|admin|reset-password)$/))) {
      const user = this.users.find(u => u.id === Number(m![1]))!
      const action = m[2] === 'admin' ? (method === 'PUT' ? 'grant-admin' : 'revoke-admin') : m[2] as AuditEntry['action']
      this.record(action, user)
      if (action === 'reset-password') return json({ userId: user.id, oneTimePassword: `otp-for-${user.username}` })
      if (action === 'disable') user.disabled = true
      if (action === 'enable') user.disabled = false
      if (action === 'grant-admin') user.isAdmin = true
      if (action === 'revoke-admin') user.isAdmin = false
      return json({ ...user })
    }
    return problem(404, `no fake for ${method} ${url.pathname}`)
  }

  record(action: AuditEntry['action'], target: AdminUser) {
    const id = (this.audit[0]?.id ?? 0) + 1
    this.audit.unshift({ id, at: new Date().toISOString(), actor: { id: 1, username: 'root' }, action, target: { id: target.id, username: target.username }, detail: '' })
  }
}

function account(id: number, username: string): AdminUser {
  return { id, username, displayName: username, isBot: false, isAdmin: false, disabled: false, mustChangePassword: false, deleted: false,
    createdAt: '2026-01-01T09:00:00Z', lastSignInAt: null }
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
}

function problem(status: number, detail: string): Response {
  return new Response(JSON.stringify({ status, detail }), { status, headers: { 'Content-Type': 'application/problem+json' } })
}

let server: AdminServer

beforeEach(() => {
  server = new AdminServer()
  vi.stubGlobal('fetch', server.fetch)
  setActivePinia(createPinia())
})

afterEach(() => vi.unstubAllGlobals())

describe('the admin page store', () => {
  test('Accounts_are_found_by_a_name_prefix_sent_escaped', async () => {
    const admin = useAdmin()
    await admin.find(' t&e ')
    expect(server.requests).toContain('GET /api/v1/admin/users?search=t%26e&limit=50')
    await admin.find('t')
    expect(admin.users.map(u => u.username)).toEqual(['tom', 'tess'])
  })

  test('An_answer_for_an_earlier_search_arriving_late_does_not_replace_the_later_one', async () => {
    const admin = useAdmin()
    server.holdSearches = true
    const first = admin.find('p')
    const second = admin.find('te')
    server.held.get('te')!()
    await second
    server.held.get('p')!()
    await first
    expect(admin.users.map(u => u.username)).toEqual(['tess'])
  })

  test('Disabling_shows_the_servers_answer_in_the_row_and_the_action_in_the_audit', async () => {
    const admin = useAdmin()
    await admin.find('')
    await admin.act(3, 'disable')
    expect(admin.users.find(u => u.id === 3)?.disabled).toBe(true)
    expect(admin.audit.map(a => `${a.action} ${a.target.username}`)).toEqual(['disable tom'])
    await admin.act(3, 'enable')
    await admin.act(3, 'grant')
    expect(admin.users.find(u => u.id === 3)).toMatchObject({ disabled: false, isAdmin: true })
    expect(server.requests.filter(r => !r.startsWith('GET'))).toEqual([
      'POST /api/v1/admin/users/3/disable', 'POST /api/v1/admin/users/3/enable', 'PUT /api/v1/admin/users/3/admin'])
    expect(admin.audit[0].action).toBe('grant-admin')
  })

  test('A_reset_password_is_held_until_dismissed_and_a_later_reset_replaces_it', async () => {
    const admin = useAdmin()
    await admin.find('')
    await admin.resetPassword(2)
    expect(admin.oneTimePassword).toEqual({ userId: 2, username: 'pia', password: 'otp-for-pia' })
    expect(admin.users.find(u => u.id === 2)?.mustChangePassword).toBe(true)
    await admin.resetPassword(4)
    expect(admin.oneTimePassword?.username).toBe('tess')
    admin.dismissPassword()
    expect(admin.oneTimePassword).toBeNull()
    expect(JSON.stringify(admin.$state)).not.toContain('otp-for')
  })

  test('A_refused_action_keeps_the_list_and_shows_the_servers_words', async () => {
    const admin = useAdmin()
    await admin.find('')
    server.refuse = { status: 409, detail: 'this is the last administrator: make another account an administrator first, so the server keeps one' }
    await admin.act(2, 'revoke')
    expect(admin.error).toContain('last administrator')
    expect(admin.users.map(u => u.isAdmin)).toEqual([false, false, false])
    expect(admin.oneTimePassword).toBeNull()
  })

  test('The_audit_is_read_newest_first_a_page_at_a_time_until_a_short_page', async () => {
    const admin = useAdmin()
    const tom = server.users[1]
    for (let i = 0; i < auditPage + 3; i++) server.record(i % 2 ? 'enable' : 'disable', tom)
    await admin.loadAudit()
    expect(admin.audit).toHaveLength(auditPage)
    expect(admin.auditMore).toBe(true)
    await admin.loadAudit(true)
    expect(server.requests.at(-1)).toBe(`GET /api/v1/admin/audit?limit=${auditPage}&before=4`)
    expect(admin.audit.map(a => a.id)).toEqual(Array.from({ length: auditPage + 3 }, (_, i) => auditPage + 3 - i))
    expect(admin.auditMore).toBe(false)
  })

  test('Signing_out_forgets_the_accounts_the_audit_and_any_one_time_password', async () => {
    const admin = useAdmin()
    await admin.find('')
    await admin.resetPassword(2)
    await admin.loadAudit()
    admin.reset()
    expect(admin.$state).toMatchObject({ search: '', users: [], audit: [], auditMore: true, oneTimePassword: null, error: '' })
  })
})
