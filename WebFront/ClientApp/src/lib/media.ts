// Media content needs the caller's token. Elements cannot send headers, so the bytes are fetched
// with the Authorization header and shown through object URLs (cached per media URL).
import { request } from './api'

const cache = new Map<string, Promise<string>>()

export function objectUrl(url: string): Promise<string> {
  let found = cache.get(url)
  if (!found) {
    const u = new URL(url, location.href)
    found = request('GET', u.origin === location.origin ? u.pathname + u.search : url).then(async r => URL.createObjectURL(await r.blob()))
    found.catch(() => cache.delete(url))
    cache.set(url, found)
  }
  return found
}

/** Native media URLs need the token; anything else (a douyin play_url, a data: avatar) is used as is. */
export function needsAuth(url: string): boolean {
  try {
    const u = new URL(url, location.href)
    return u.origin === location.origin && u.pathname.startsWith('/api/')
  } catch {
    return false
  }
}

export async function download(url: string, name: string): Promise<void> {
  saveAs(await objectUrl(url), name)
}

/** Offers bytes already fetched (with the token) as a download named `name`; the object URL is freed after. */
export function saveBlob(blob: Blob, name: string): void {
  const href = URL.createObjectURL(blob)
  saveAs(href, name)
  setTimeout(() => URL.revokeObjectURL(href), 60_000)
}

function saveAs(href: string, name: string) {
  const a = document.createElement('a')
  a.href = href
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
}

export function clearMediaCache(): void {
  for (const p of cache.values()) p.then(u => URL.revokeObjectURL(u), () => {})
  cache.clear()
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

export function kindOf(contentType: string): 'image' | 'audio' | 'video' | 'file' {
  if (contentType.startsWith('image/')) return 'image'
  if (contentType.startsWith('audio/')) return 'audio'
  if (contentType.startsWith('video/')) return 'video'
  return 'file'
}
