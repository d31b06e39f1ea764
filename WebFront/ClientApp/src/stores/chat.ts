import { defineStore } from 'pinia'
import { watch } from 'vue'
import { whenUnauthorized } from '../lib/api'
import { useAccount } from './account'
import { useAdmin } from './admin'
import { useCalls } from './calls'
import { useConversations } from './conversations'
import { useGroups } from './groups'
import { useLink } from './link'
import { useMessages } from './messages'
import { usePeople } from './people'
import { useTyping } from './typing'

/**
 * The chat as a whole: starts the live link, joins what each Sync brings to the stores that hold
 * it, opens conversations, and on sign-out closes the link and makes every store forget the user.
 */
export const useChat = defineStore('chat', () => {
  const link = useLink()
  const conversations = useConversations()
  const messages = useMessages()
  const people = usePeople()
  const groups = useGroups()
  const typing = useTyping()
  const calls = useCalls()
  const admin = useAdmin()
  const account = useAccount()

  link.onSync(async (list, reason) => {
    for (const id of conversations.applySync(list)) messages.forget(id)
    void calls.applySync(list, reason)
    await messages.fillAll()
    await messages.refreshStreaming()
    if (conversations.activeId) messages.markRead(conversations.activeId)
    if (reason === 'connected') {
      void people.loadContacts()
      messages.resendOffline()
    }
  })

  // The tab title counts unread messages on every page, so a background tab shows there is something new.
  watch(() => conversations.unread, n => {
    document.title = n ? `(${n}) GoChat` : 'GoChat'
  }, { immediate: true })

  whenUnauthorized(() => { void stop() })

  async function start() {
    void people.loadContacts()
    await link.start()
  }

  /** Opens a conversation: its newest messages, its group's members, and it is read. */
  async function open(id: string) {
    conversations.activeId = id
    await messages.load(id)
    const conv = conversations.byId.get(id)
    if (conv?.kind === 'group' && conv.groupId) void groups.load(conv.groupId).catch(() => {})
    messages.markRead(id)
  }

  /** Signing out (or the token stopped working): nothing of this user stays in the page. */
  async function stop() {
    await link.stop()
    conversations.reset()
    messages.reset()
    people.reset()
    groups.reset()
    typing.reset()
    calls.reset()
    admin.reset()
    account.reset()
  }

  return { start, open, stop }
})
