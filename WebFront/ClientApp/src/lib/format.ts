// How the chat page words things: titles, previews, times and days.
import type { Conversation } from './types'

export type Presence = 'online' | 'offline' | undefined

export function presenceOf(online: boolean | null | undefined): Presence {
  return online === undefined || online === null ? undefined : online ? 'online' : 'offline'
}

/** A direct conversation is titled by the other user's display name, a group by its name. */
export function titleOf(c: Conversation): string {
  return c.kind === 'direct' && c.peer ? c.peer.displayName || c.peer.username : c.title
}

/** The list's second line: who sent the last message (in groups), and what it was. */
export function previewOf(c: Conversation, me: number, nameOf: (id: number) => string): string {
  const m = c.lastMessage
  if (!m) return 'No messages yet'
  const who = m.senderId === me ? 'You: ' : c.kind === 'group' ? `${nameOf(m.senderId)}: ` : ''
  if (m.recalled) return `${who}message recalled`
  const body = m.kind === 'text' || m.kind === 'system' || m.kind === 'call' ? m.text : { image: '📷 Photo', audio: '🎤 Voice note', video: '🎬 Video', file: `📄 ${m.media?.name || 'File'}` }[m.kind]
  return who + body
}

/** Today: the time; earlier: the date. */
export function when(iso: string | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (d.toDateString() === new Date().toDateString()) return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
  return d.toLocaleDateString([], { month: 'short', day: 'numeric' })
}

export function sameDay(a: string, b: string): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString()
}

export function dayLabel(iso: string): string {
  const d = new Date(iso)
  const today = new Date()
  const yesterday = new Date(today.getTime() - 86400000)
  if (d.toDateString() === today.toDateString()) return 'Today'
  if (d.toDateString() === yesterday.toDateString()) return 'Yesterday'
  return d.toLocaleDateString([], { weekday: 'short', month: 'short', day: 'numeric', year: d.getFullYear() === today.getFullYear() ? undefined : 'numeric' })
}

const browsers: [RegExp, string][] = [[/Edg\//, 'Edge'], [/OPR\//, 'Opera'], [/Firefox\//, 'Firefox'], [/Chrom(e|ium)\//, 'Chrome'], [/Safari\//, 'Safari']]
const systems: [RegExp, string][] = [[/Android/, 'Android'], [/iPhone|iPad|iPod/, 'iOS'], [/CrOS/, 'ChromeOS'], [/Windows/, 'Windows'], [/Mac OS X|Macintosh/, 'macOS'], [/Linux/, 'Linux']]

/** A session's device in words ("Firefox on Linux") from its user agent; anything else as it came. */
export function deviceOf(userAgent: string): string {
  const browser = browsers.find(([p]) => p.test(userAgent))?.[1]
  const system = systems.find(([p]) => p.test(userAgent))?.[1]
  if (browser && system) return `${browser} on ${system}`
  return browser ?? system ?? (userAgent.trim() || 'Unknown device')
}

/** A moment with its date and time, for lists where "today" is not enough (sessions). */
export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString([], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
}
