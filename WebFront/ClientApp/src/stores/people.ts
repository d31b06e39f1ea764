import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import { get, post } from '../lib/api'
import type { User } from '../lib/types'
import { useLink } from './link'
import { useSession } from './session'

/** The people the page knows: every user it has seen (for names and avatars), and your friends with their presence. */
export const usePeople = defineStore('people', () => {
  const session = useSession()
  const link = useLink()
  const users = reactive(new Map<number, User>())
  const contacts = ref<User[]>([])
  const asked = new Map<number, Promise<User | null>>()
  /** Moves on at sign-out, so an answer for the previous session is dropped. */
  let epoch = 0

  const me = computed(() => session.user?.id ?? 0)

  function remember(u: User) {
    users.set(u.id, u)
  }

  async function loadContacts() {
    const at = epoch
    try {
      const list = await get<User[]>('/api/v1/contacts')
      if (at !== epoch) return
      contacts.value = list
      for (const u of list) remember(u)
    } catch {
      // shown as an empty list; the next connect tries again
    }
  }

  const isContact = (id: number) => contacts.value.some(c => c.id === id)

  async function addContact(userId: number) {
    remember(await post<User>('/api/v1/contacts', { userId }))
    await loadContacts()
  }

  /** A user by id, asked of the server once at a time (and again later if that failed). */
  function user(id: number): Promise<User | null> {
    const known = users.get(id)
    if (known) return Promise.resolve(known)
    const asking = asked.get(id)
    if (asking) return asking
    const at = epoch
    const p: Promise<User | null> = get<User>(`/api/v1/users/${id}`)
      .then(u => {
        if (at === epoch) remember(u)
        return u
      }, () => null)
      .finally(() => { if (asked.get(id) === p) asked.delete(id) })
    asked.set(id, p)
    return p
  }

  function nameOf(id: number): string {
    if (id === me.value) return session.user?.displayName || 'You'
    const u = users.get(id)
    if (!u) {
      void user(id)
      return `User ${id}`
    }
    return u.displayName || u.username
  }

  const isBot = (id: number) => users.get(id)?.isBot ?? false

  async function searchUsers(prefix: string): Promise<User[]> {
    const found = await get<User[]>(`/api/v1/users?search=${encodeURIComponent(prefix)}&limit=20`)
    for (const u of found) if (!users.has(u.id)) remember(u)
    return found
  }

  link.on('presence', e => {
    for (const c of contacts.value) if (c.id === e.userId) c.online = e.online
    const u = users.get(e.userId)
    if (u) u.online = e.online
  })

  function reset() {
    epoch++
    users.clear()
    contacts.value = []
    asked.clear()
  }

  return { users, contacts, me, remember, loadContacts, isContact, addContact, user, nameOf, isBot, searchUsers, reset }
})
