import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, get, patch, post, replacingToken, setToken } from '../lib/api'
import { clearMediaCache } from '../lib/media'
import type { Session, User } from '../lib/types'

const storageKey = 'gochat.session'

/** The signed-in user. The session is kept in localStorage so a reload stays signed in. */
export const useSession = defineStore('session', () => {
  const user = ref<User | null>(null)
  const tokenValue = ref<string | null>(null)
  /** Why this page was signed out, for the login page to say once (the account was deleted, say). */
  const notice = ref('')

  const saved = localStorage.getItem(storageKey)
  if (saved) {
    try {
      const s = JSON.parse(saved) as Session
      if (s.token && s.user) {
        user.value = s.user
        tokenValue.value = s.token
        setToken(s.token)
      }
    } catch {
      localStorage.removeItem(storageKey)
    }
  }

  const signedIn = computed(() => tokenValue.value !== null && user.value !== null)

  function adopt(s: Session) {
    notice.value = ''
    user.value = s.user
    tokenValue.value = s.token
    setToken(s.token)
    localStorage.setItem(storageKey, JSON.stringify({ userId: s.userId, token: s.token, user: s.user }))
  }

  async function login(username: string, password: string) {
    adopt(await api<Session>('POST', '/api/v1/auth/login', { username, password }, { auth: false }))
  }

  async function register(username: string, password: string) {
    adopt(await api<Session>('POST', '/api/v1/auth/register', { username, password }, { auth: false }))
  }

  /** A token handed over in a ginchat-style /toChat?userId=&token= link. */
  async function adoptToken(token: string) {
    setToken(token)
    try {
      const me = await get<User>('/api/v1/users/me')
      adopt({ userId: me.id, token, user: me })
    } catch (e) {
      setToken(tokenValue.value)
      throw e
    }
  }

  async function refresh() {
    const me = await get<User>('/api/v1/users/me')
    setUser(me)
  }

  function setUser(me: User) {
    user.value = me
    if (tokenValue.value) localStorage.setItem(storageKey, JSON.stringify({ userId: me.id, token: tokenValue.value, user: me }))
  }

  async function updateProfile(changes: { displayName?: string; signature?: string; avatarUrl?: string }) {
    setUser(await patch<User>('/api/v1/users/me', changes))
  }

  /**
   * POST /api/v1/users/me/password: your other sessions end; this one goes on with the token it
   * answers (the hub link, closed by the server with the old token, reconnects with it).
   */
  async function changePassword(currentPassword: string, newPassword: string) {
    await replacingToken(async () =>
      adopt(await api<Session>('POST', '/api/v1/users/me/password', { currentPassword, newPassword }, { replaces: true })))
  }

  /** The server has ended this page's token at its own request: forget it, and say why on the login page. */
  function signedOut(why: string) {
    forget()
    notice.value = why
  }

  async function logout() {
    try {
      if (tokenValue.value) await post('/api/v1/auth/logout')
    } catch {
      // already invalid or offline: forget it locally anyway
    }
    forget()
  }

  function forget() {
    user.value = null
    tokenValue.value = null
    setToken(null)
    localStorage.removeItem(storageKey)
    clearMediaCache()
  }

  return { user, token: tokenValue, signedIn, notice, login, register, adoptToken, refresh, updateProfile, changePassword, signedOut, logout, forget }
})
