// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { whenUnauthorized } from '../src/lib/api'
import { deviceOf } from '../src/lib/format'
import { useAccount } from '../src/stores/account'
import { useChat } from '../src/stores/chat'
import { useLink } from '../src/stores/link'
import { useSession } from '../src/stores/session'
import { FakeServer, user } from './fakeServer'

const ann = user(1, 'Ann')
const firefoxOnAndroid = 'Mozilla/5.0 (Android 15; Mobile; rv:140.0) Gecko/140.0 Firefox/140.0'
const chromeOnLinux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36'
let server: FakeServer
let token: string

vi.mock('@microsoft/signalr', () => ({
  LogLevel: { None: 6 },
  HubConnectionBuilder: class {
    withUrl(_url: string, options: { accessTokenFactory: () => string }) {
      server.connection.tokenFactory = options.accessTokenFactory
      return this
    }
    withAutomaticReconnect() { return this }
    configureLogging() { return this }
    build() { return server.connection }
  },
}))

/**
 * The page's stores, held from the start: a store's action makes its own Pinia the active one, and
 * the 401 handlers of earlier tests' chat stores stay registered, so `useX()` after an action could
 * find an earlier test's store.
 */
let page: { session: ReturnType<typeof useSession>; account: ReturnType<typeof useAccount>; link: ReturnType<typeof useLink>; chat: ReturnType<typeof useChat> }

// What the page does with a token the server refused (App.vue): forget the session. The chat store stops the link itself.
whenUnauthorized(() => page.session.forget())

/** Ann signed in on this page (Chrome) and on her phone (Firefox), the chat connected. */
async function signedIn() {
  server.account.signIn(firefoxOnAndroid, '198.51.100.7')
  token = server.account.signIn(chromeOnLinux, '192.0.2.1')
  localStorage.setItem('gochat.session', JSON.stringify({ userId: ann.id, token, user: ann }))
  setActivePinia(createPinia())
  page = { session: useSession(), account: useAccount(), link: useLink(), chat: useChat() }
  await page.chat.start()
  expect(page.link.state).toBe('connected')
  return page
}

beforeEach(() => {
  server = new FakeServer(ann)
  vi.stubGlobal('fetch', server.fetch)
  localStorage.clear()
})

afterEach(async () => {
  await page?.chat.stop()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('changing the password', () => {
  test('The_page_goes_on_with_the_replacement_token_and_its_link_reconnects_with_it', async () => {
    const { session, account, link } = await signedIn()
    server.account.holdPasswordAnswer = true
    const changing = account.changePassword('secret-pw', 'brand-new-pw', 'brand-new-pw')
    await vi.waitFor(() => expect(server.account.releasePasswordAnswer).not.toBeNull())

    // The server revoked the old token as it decided: a request the page sent meanwhile is refused
    // before the answer arrives, and that is not a sign-out.
    const meanwhile = session.refresh().catch(e => e)
    await vi.waitFor(() => expect(server.requests.filter(r => r === 'GET /api/v1/users/me')).toHaveLength(1))
    server.account.releasePasswordAnswer!()
    expect(await changing).toBe(true)
    expect((await meanwhile).status).toBe(401)

    const replacement = session.token!
    expect(replacement).not.toBe(token)
    expect(session.signedIn).toBe(true)
    expect(JSON.parse(localStorage.getItem('gochat.session')!).token).toBe(replacement)
    expect(account.done?.text).toContain('other sessions were signed out')
    // The server closed the old connection; the link is back, with the new token.
    await vi.waitFor(() => expect(server.connection.startedWith.at(-1)).toBe(replacement), { timeout: 5000 })
    await vi.waitFor(() => expect(link.state).toBe('connected'))
    expect(server.account.sessions).toHaveLength(1)
  })

  test('A_wrong_current_password_or_a_weak_new_one_is_shown_in_the_servers_words_and_nothing_changes', async () => {
    const { session, account, link } = await signedIn()

    expect(await account.changePassword('not-my-password', 'brand-new-pw', 'brand-new-pw')).toBe(false)
    expect(account.errors.password).toBe('currentPassword is not this account\'s password')
    expect(await account.changePassword('secret-pw', 'abc', 'abc')).toBe(false)
    expect(account.errors.password).toBe('newPassword must be 6-64 characters')

    expect(session.token).toBe(token)
    expect(session.signedIn).toBe(true)
    expect(link.state).toBe('connected')
  })

  test('Two_different_new_passwords_are_refused_before_asking_the_server', async () => {
    const { account } = await signedIn()
    expect(await account.changePassword('secret-pw', 'brand-new-pw', 'brand-new-pv')).toBe(false)
    expect(account.errors.password).toBe('The two new passwords differ.')
    expect(server.requests.filter(r => r.includes('/password'))).toEqual([])
  })
})

describe('sessions', () => {
  test('The_list_marks_this_device_and_ending_another_session_keeps_this_one', async () => {
    const { session, account, link } = await signedIn()
    await account.loadSessions()
    expect(account.sessions.map(s => [deviceOf(s.userAgent), s.address, s.current])).toEqual([
      ['Chrome on Linux', '192.0.2.1', true], ['Firefox on Android', '198.51.100.7', false]])

    const phone = account.sessions[1].id
    expect(await account.endSession(phone)).toBe(true)

    expect(server.requests).toContain(`DELETE /api/v1/users/me/sessions/${phone}`)
    expect(account.sessions.map(s => s.current)).toEqual([true])
    expect(account.done?.text).toBe('Session ended.')
    expect(session.signedIn).toBe(true)
    expect(link.state).toBe('connected')
  })

  test('Ending_this_pages_own_session_signs_the_page_out_saying_so', async () => {
    const { session, account, link } = await signedIn()
    await account.loadSessions()

    await account.endSession(account.sessions.find(s => s.current)!.id)

    expect(session.signedIn).toBe(false)
    expect(localStorage.getItem('gochat.session')).toBeNull()
    expect(session.notice).toBe('You signed out of this device.')
    expect(link.state).toBe('offline')
    expect(account.sessions).toEqual([])
  })

  test('An_unknown_session_is_refused_in_the_servers_words', async () => {
    const { session, account } = await signedIn()
    await account.loadSessions()
    server.account.end(id => id === account.sessions[1].id) // ended elsewhere meanwhile
    expect(await account.endSession(account.sessions[1].id)).toBe(false)
    expect(account.errors.sessions).toBe('no session with this id')
    expect(session.signedIn).toBe(true)
  })
})

describe('export and deletion', () => {
  test('The_export_is_fetched_with_the_token_and_saved_under_the_servers_file_name', async () => {
    const { account } = await signedIn()
    const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:http://gochat.test/export')
    const saved: { href: string; download: string }[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.href, download: this.download })
    })

    expect(await account.exportData()).toBe(true)

    expect(server.account.exportAuthorizations).toEqual([`Bearer ${token}`])
    expect(saved).toEqual([{ href: 'blob:http://gochat.test/export', download: 'gochat-export-1.json' }])
    const file = JSON.parse(await (created.mock.calls[0][0] as Blob).text())
    expect(file.profile.username).toBe('ann')
  })

  test('A_wrong_password_keeps_the_account_and_says_why', async () => {
    const { session, account } = await signedIn()
    expect(await account.deleteAccount('not-my-password')).toBe(false)
    expect(account.errors.deletion).toBe('password is not this account\'s password')
    expect(server.account.deleted).toBe(false)
    expect(session.signedIn).toBe(true)
  })

  test('Deleting_the_account_signs_the_page_out_with_a_word_for_the_login_page', async () => {
    const { session, account, link } = await signedIn()
    expect(await account.deleteAccount('secret-pw')).toBe(true)

    expect(server.account.deleted).toBe(true)
    expect(session.signedIn).toBe(false)
    expect(session.notice).toBe('Your account was deleted.')
    expect(localStorage.getItem('gochat.session')).toBeNull()
    expect(link.state).toBe('offline')
  })
})

test('Devices_are_named_from_their_user_agent_or_shown_as_they_came', () => {
  expect(deviceOf(chromeOnLinux)).toBe('Chrome on Linux')
  expect(deviceOf(firefoxOnAndroid)).toBe('Firefox on Android')
  expect(deviceOf('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1')).toBe('Safari on iOS')
  expect(deviceOf('curl/8.5.0')).toBe('curl/8.5.0')
  expect(deviceOf('')).toBe('Unknown device')
})
