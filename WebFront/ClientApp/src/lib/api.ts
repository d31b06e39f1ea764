// The native API over fetch: the token goes in the Authorization header, never in a URL.

let currentToken: string | null = null
const unauthorized = new Set<() => void>()
/** The request answering the caller's replacement token, while it is under way (see `replacingToken`). */
let replacement: Promise<unknown> | null = null

export function setToken(token: string | null): void {
  currentToken = token
}

export function token(): string | null {
  return currentToken
}

/** Adds what to do when the server says the token no longer works (logged out elsewhere, expired). */
export function whenUnauthorized(handler: () => void): void {
  unauthorized.add(handler)
}

/** This page ended its own token (it ended its session, or deleted the account): as a 401 would say. */
export function tokenEnded(): void {
  for (const handler of unauthorized) handler()
}

/**
 * Runs work that swaps the token for the replacement the server answers (a password change). The
 * server revokes the old token as it answers, so a request sent with the old one meanwhile may get
 * 401: that is no sign-out once the replacement has arrived.
 */
export function replacingToken<T>(work: () => Promise<T>): Promise<T> {
  const run = work()
  replacement = run
  const done = () => { if (replacement === run) replacement = null }
  run.then(done, done)
  return run
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

async function problemText(response: Response): Promise<string> {
  try {
    const body = await response.json()
    if (body && typeof body.detail === 'string' && body.detail) return body.detail
    if (body && typeof body.title === 'string' && body.title) return body.title
  } catch {
    // not JSON: fall through
  }
  return `${response.status} ${response.statusText || 'request failed'}`
}

/** `replaces`: this request answers the replacement token (it must not wait for itself on a 401). */
export async function request(method: string, path: string, body?: unknown, init?: { auth?: boolean; replaces?: boolean }): Promise<Response> {
  const headers: Record<string, string> = {}
  const used = init?.auth !== false ? currentToken : null
  if (used) headers.Authorization = `Bearer ${used}`
  let payload: BodyInit | undefined
  if (body instanceof FormData) payload = body
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let response: Response
  try {
    response = await fetch(path, { method, headers, body: payload })
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check your connection.')
  }
  if (!response.ok) {
    const text = await problemText(response)
    if (response.status === 401 && used) await refused(used, init?.replaces === true)
    throw new ApiError(response.status, text)
  }
  return response
}

/** A 401 for `used`: signs out, unless that token has been replaced (or is being replaced) meanwhile. */
async function refused(used: string, replaces: boolean) {
  if (replacement && !replaces) await replacement.catch(() => {})
  if (currentToken === used) tokenEnded()
}

export async function api<T>(method: string, path: string, body?: unknown, init?: { auth?: boolean; replaces?: boolean }): Promise<T> {
  const response = await request(method, path, body, init)
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

export const get = <T>(path: string) => api<T>('GET', path)
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body)
export const patch = <T>(path: string, body?: unknown) => api<T>('PATCH', path, body)
export const del = <T>(path: string) => api<T>('DELETE', path)
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, body)

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
