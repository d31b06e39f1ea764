import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, del, errorText, get, request, tokenEnded } from '../lib/api'
import { saveBlob } from '../lib/media'
import type { SignedInSession } from '../lib/types'
import { useSession } from './session'

/** The parts of the Account dialog, each with its own answer line. */
export type AccountPart = 'password' | 'sessions' | 'export' | 'deletion'

function noErrors(): Record<AccountPart, string> {
  return { password: '', sessions: '', export: '', deletion: '' }
}

/**
 * The signed-in user's account over its life (docs/api.md "Your account"): a new password (this
 * page goes on with the token the server answers), the sessions and ending one, the export as a
 * file, and deleting the account. Ending this page's own session or deleting the account signs the
 * page out as a revoked token would, with a word for the login page.
 */
export const useAccount = defineStore('account', () => {
  const session = useSession()
  const sessions = ref<SignedInSession[]>([])
  const errors = ref(noErrors())
  /** What the last thing done did, said once (`status`) in its part. */
  const done = ref<{ part: AccountPart; text: string } | null>(null)
  const busy = ref<AccountPart | null>(null)

  /** Runs one part's request: its refusal is shown in that part, in the server's words. */
  async function attempt(part: AccountPart, work: () => Promise<void>): Promise<boolean> {
    errors.value[part] = ''
    done.value = null
    busy.value = part
    try {
      await work()
      return true
    } catch (e) {
      errors.value[part] = errorText(e)
      return false
    } finally {
      busy.value = null
    }
  }

  function changePassword(currentPassword: string, newPassword: string, repeated: string): Promise<boolean> {
    return attempt('password', async () => {
      if (newPassword !== repeated) throw new Error('The two new passwords differ.')
      await session.changePassword(currentPassword, newPassword)
      done.value = { part: 'password', text: 'Password changed. Your other sessions were signed out.' }
      sessions.value = sessions.value.filter(s => s.current)
    })
  }

  function loadSessions(): Promise<boolean> {
    return attempt('sessions', async () => {
      sessions.value = await get<SignedInSession[]>('/api/v1/users/me/sessions')
    })
  }

  /** Ends one session; ending this page's own is signing out here. */
  function endSession(id: string): Promise<boolean> {
    const current = sessions.value.find(s => s.id === id)?.current ?? false
    return attempt('sessions', async () => {
      await del(`/api/v1/users/me/sessions/${encodeURIComponent(id)}`)
      if (current) return signOutHere('You signed out of this device.')
      sessions.value = sessions.value.filter(s => s.id !== id)
      done.value = { part: 'sessions', text: 'Session ended.' }
    })
  }

  /** The export as a file: fetched with the token (a link could not carry it), saved through an object URL. */
  function exportData(): Promise<boolean> {
    return attempt('export', async () => {
      const response = await request('GET', '/api/v1/users/me/export')
      const named = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1]
      saveBlob(await response.blob(), named ?? `gochat-export-${session.user?.id ?? 'me'}.json`)
      done.value = { part: 'export', text: 'Your data was downloaded.' }
    })
  }

  function deleteAccount(password: string): Promise<boolean> {
    return attempt('deletion', async () => {
      await api('DELETE', '/api/v1/users/me', { password })
      signOutHere('Your account was deleted.')
    })
  }

  function signOutHere(why: string) {
    reset()
    session.signedOut(why)
    tokenEnded()
  }

  function reset() {
    sessions.value = []
    errors.value = noErrors()
    done.value = null
    busy.value = null
  }

  return { sessions, errors, done, busy, changePassword, loadSessions, endSession, exportData, deleteAccount, reset }
})
