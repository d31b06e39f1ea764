import { defineStore } from 'pinia'
import { reactive } from 'vue'
import { useLink } from './link'
import { usePeople } from './people'

/** How long "… is typing" shows after the last `typing` event. */
const shownMs = 5000
/** How often our own typing is told to the server while we type. */
const sentEveryMs = 3000

/** Who is typing where: shown from `typing` events until they stop or send; our own typing told to the others. */
export const useTyping = defineStore('typing', () => {
  const link = useLink()
  const people = usePeople()
  /** Per conversation: user id -> until when (ms) they show as typing. */
  const typists = reactive(new Map<string, Map<number, number>>())
  const lastSent = new Map<string, number>()

  function typingIn(id: string): number[] {
    return [...(typists.get(id)?.keys() ?? [])]
  }

  /** Called as we type: tells the server at most every few seconds. */
  function typed(id: string) {
    const last = lastSent.get(id) ?? 0
    if (!link.connected() || Date.now() - last < sentEveryMs) return
    lastSent.set(id, Date.now())
    void link.invoke('Typing', id).catch(() => {})
  }

  function expire() {
    const now = Date.now()
    for (const [id, map] of typists) {
      for (const [user, until] of map) if (until <= now) map.delete(user)
      if (!map.size) typists.delete(id)
    }
  }

  link.on('typing', e => {
    if (e.userId === people.me) return
    let map = typists.get(e.conversationId)
    if (!map) {
      typists.set(e.conversationId, new Map())
      map = typists.get(e.conversationId)!
    }
    map.set(e.userId, Date.now() + shownMs)
    window.setTimeout(expire, shownMs)
    void people.user(e.userId)
  })
  // Their message is what they were typing.
  link.on('message', m => { typists.get(m.conversationId)?.delete(m.senderId) })
  // A bot "types" (thinks) until its reply's first words.
  link.on('messageStreaming', e => { typists.get(e.conversationId)?.delete(e.senderId) })
  link.on('messageUpdated', m => { if (m.status !== 'streaming') typists.get(m.conversationId)?.delete(m.senderId) })

  function reset() {
    typists.clear()
    lastSent.clear()
  }

  return { typists, typingIn, typed, reset }
})
