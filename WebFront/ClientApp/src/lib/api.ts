// The native API over fetch: the token goes in the Authorization header, never in a URL.

let currentToken: string | null = null
const unauthorized = new Set<() => void>()

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

export async function request(method: string, path: string, body?: unknown, init?: { auth?: boolean }): Promise<Response> {
  const headers: Record<string, string> = {}
  if (currentToken && init?.auth !== false) headers.Authorization = `Bearer ${currentToken}`
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
    if (response.status === 401 && currentToken && init?.auth !== false) for (const handler of unauthorized) handler()
    throw new ApiError(response.status, text)
  }
  return response
}

export async function api<T>(method: string, path: string, body?: unknown, init?: { auth?: boolean }): Promise<T> {
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
