import { defineStore } from 'pinia'
import { ref } from 'vue'
import { del, errorText, get, post, put } from '../lib/api'
import type { AdminUser, AuditEntry } from '../lib/types'

/** How many audit entries a page asks for; fewer back means the end. */
export const auditPage = 50

/** A one-time password as the server answered it: shown once, then forgotten. */
export interface OneTimePassword {
  userId: number
  username: string
  password: string
}

type Action = 'disable' | 'enable' | 'grant' | 'revoke'

/**
 * The admin page's state: accounts found by name, what an administrator does to them, the
 * one-time password of the last reset (kept only until dismissed) and the audit, newest first.
 */
export const useAdmin = defineStore('admin', () => {
  const search = ref('')
  const users = ref<AdminUser[]>([])
  const audit = ref<AuditEntry[]>([])
  const auditMore = ref(true)
  const oneTimePassword = ref<OneTimePassword | null>(null)
  const error = ref('')
  /** Answers for an earlier search arriving after a later one are dropped. */
  let asked = 0

  async function find(prefix: string = search.value) {
    search.value = prefix
    const at = ++asked
    error.value = ''
    try {
      const found = await get<AdminUser[]>(`/api/v1/admin/users?search=${encodeURIComponent(prefix.trim())}&limit=50`)
      if (at === asked) users.value = found
    } catch (e) {
      if (at === asked) error.value = errorText(e)
    }
  }

  function replace(user: AdminUser) {
    const i = users.value.findIndex(u => u.id === user.id)
    if (i >= 0) users.value[i] = user
  }

  /** Disables, enables, grants or revokes the administrator role; the row shows the answer, the audit the action. */
  async function act(userId: number, action: Action) {
    error.value = ''
    try {
      const path = `/api/v1/admin/users/${userId}`
      const user = action === 'disable' ? await post<AdminUser>(`${path}/disable`)
        : action === 'enable' ? await post<AdminUser>(`${path}/enable`)
        : action === 'grant' ? await put<AdminUser>(`${path}/admin`)
        : await del<AdminUser>(`${path}/admin`)
      replace(user)
      await loadAudit()
    } catch (e) {
      error.value = errorText(e)
    }
  }

  async function resetPassword(userId: number) {
    error.value = ''
    try {
      const answer = await post<{ userId: number; oneTimePassword: string }>(`/api/v1/admin/users/${userId}/reset-password`)
      const username = users.value.find(u => u.id === userId)?.username ?? `user ${userId}`
      oneTimePassword.value = { userId, username, password: answer.oneTimePassword }
      const user = users.value.find(u => u.id === userId)
      if (user) replace({ ...user, mustChangePassword: true })
      await loadAudit()
    } catch (e) {
      error.value = errorText(e)
    }
  }

  /** The administrator has passed the password on: it is not kept anywhere. */
  function dismissPassword() {
    oneTimePassword.value = null
  }

  /** The newest page of the audit, or (more) the page after the entries held. */
  async function loadAudit(more = false) {
    try {
      const before = more && audit.value.length ? `&before=${audit.value[audit.value.length - 1].id}` : ''
      const page = await get<AuditEntry[]>(`/api/v1/admin/audit?limit=${auditPage}${before}`)
      audit.value = more ? [...audit.value, ...page.filter(a => !audit.value.some(b => b.id === a.id))] : page
      auditMore.value = page.length >= auditPage
    } catch (e) {
      error.value = errorText(e)
    }
  }

  function reset() {
    asked++
    search.value = ''
    users.value = []
    audit.value = []
    auditMore.value = true
    oneTimePassword.value = null
    error.value = ''
  }

  return { search, users, audit, auditMore, oneTimePassword, error, find, act, resetPassword, dismissPassword, loadAudit, reset }
})
