import { defineStore } from 'pinia'
import { reactive } from 'vue'
import { del, get, post } from '../lib/api'
import type { Group } from '../lib/types'
import { useConversations } from './conversations'
import { useMessages } from './messages'
import { usePeople } from './people'

/** The groups whose details the page has loaded (members, count), and what you do with them. */
export const useGroups = defineStore('groups', () => {
  const conversations = useConversations()
  const messages = useMessages()
  const people = usePeople()
  const byId = reactive(new Map<number, Group>())

  async function load(id: number): Promise<Group> {
    const g = await get<Group>(`/api/v1/groups/${id}`)
    for (const m of g.members ?? []) people.remember(m.user)
    byId.set(id, g)
    return g
  }

  /** Creates a group with these members; resolves with its conversation's id. */
  async function create(name: string, memberIds: number[]): Promise<string> {
    const g = await post<Group>('/api/v1/groups', { name, memberIds })
    byId.set(g.id, g)
    await conversations.refresh()
    return g.conversationId
  }

  async function addMembers(groupId: number, userIds: number[]) {
    await post(`/api/v1/groups/${groupId}/members`, { userIds })
    await load(groupId)
  }

  async function leave(groupId: number, conversationId: string) {
    await del(`/api/v1/groups/${groupId}/members/${people.me}`)
    conversations.remove(conversationId)
    messages.forget(conversationId)
    byId.delete(groupId)
  }

  function reset() {
    byId.clear()
  }

  return { byId, load, create, addMembers, leave, reset }
})
