// User text is rendered as text nodes only. Links become separate segments, and only http(s)
// URLs (checked with the URL parser) ever become <a> elements.

export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string }

const urlPattern = /\bhttps?:\/\/[^\s<>"']+/gi
const trailing = /[.,;:!?)\]}]+$/

export function segments(text: string): Segment[] {
  const out: Segment[] = []
  let last = 0
  for (const match of text.matchAll(urlPattern)) {
    let candidate = match[0]
    const strip = candidate.match(trailing)
    if (strip) candidate = candidate.slice(0, candidate.length - strip[0].length)
    const start = match.index ?? 0
    const href = safeHref(candidate)
    if (!href) continue
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) })
    out.push({ kind: 'link', text: candidate, href })
    last = start + candidate.length
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) })
  return out
}

export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}
