import { nextTick, watch, type Ref } from 'vue'
import type { ChatItem } from '../lib/types'

/** Within this distance of the top (px), the older page is loaded. */
const topMargin = 60
/** Within this distance of the bottom (px), the view counts as at the newest message and stays there. */
const endMargin = 120

export interface ScrollBackOptions {
  items: () => readonly ChatItem[]
  hasOlder: () => boolean
  loadOlder: () => Promise<unknown>
  failed: (e: unknown) => void
}

/**
 * The message log's scrolling: near the top, the older page is loaded and the view stays on the
 * message it showed; a new message at the end keeps the newest in view, unless the reader has
 * scrolled up.
 */
export function useScrollBack(log: Ref<HTMLElement | null>, options: ScrollBackOptions) {
  let loading = false

  async function scrollToEnd() {
    await nextTick()
    if (log.value) log.value.scrollTop = log.value.scrollHeight
  }

  function nearEnd(): boolean {
    const el = log.value
    return !el || el.scrollHeight - el.scrollTop - el.clientHeight < endMargin
  }

  async function onScroll() {
    const el = log.value
    if (!el || loading || el.scrollTop > topMargin || !options.hasOlder()) return
    loading = true
    const before = el.scrollHeight
    try {
      await options.loadOlder()
      await nextTick()
      el.scrollTop += el.scrollHeight - before
    } catch (e) {
      options.failed(e)
    } finally {
      loading = false
    }
  }

  /** Media that finished loading grew the log: still at the end, stay there. */
  function grew() {
    if (nearEnd()) void scrollToEnd()
  }

  watch(() => {
    const items = options.items()
    return [items.length, items[items.length - 1]?.seq]
  }, async (_, old) => {
    if (!old) return
    const stick = nearEnd()
    await nextTick()
    if (stick) void scrollToEnd()
  })

  return { onScroll, scrollToEnd, grew }
}
