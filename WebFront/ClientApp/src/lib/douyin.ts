// The douyin routes, as the web client uses them: parameters as form fields or query, the token
// in the Authorization header (never in a URL), answers are {status_code, status_msg, ...}.
import { request } from './api'

export interface DouyinUser {
  id: number
  name: string
  follow_count: number
  follower_count: number
  is_follow: boolean
  avatar: string
}

export interface Video {
  id: number
  author: DouyinUser
  play_url: string
  cover_url: string
  favorite_count: number
  comment_count: number
  is_favorite: boolean
  title: string
}

export interface Comment {
  id: number
  user: DouyinUser
  content: string
  create_date: string
}

async function answer<T>(response: Response): Promise<T> {
  const body = await response.json()
  if (body.status_code !== 0) throw new Error(body.status_msg || 'the request failed')
  return body as T
}

export async function douyinGet<T>(path: string, query: Record<string, string | number> = {}): Promise<T> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()
  return answer<T>(await request('GET', qs ? `${path}?${qs}` : path))
}

export async function douyinPost<T>(path: string, fields: Record<string, string | number | Blob>): Promise<T> {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v instanceof Blob ? v : String(v))
  return answer<T>(await request('POST', path, form))
}
