// Shapes of the native API (docs/api.md, shared api-native.md). Ids are JSON numbers below 2^53.
import type { Call, MessageCall } from './callTypes'

export interface User {
  id: number
  username: string
  displayName: string
  avatarUrl: string | null
  signature: string | null
  online: boolean
  isBot: boolean
  /** Only in your own profile (`Me`): you administer the server. */
  isAdmin?: boolean
  /** Only in your own profile (`Me`): an administrator reset your password; choose a new one before anything else. */
  mustChangePassword?: boolean
}

/** An account as administrators see it (GET /api/v1/admin/users). */
export interface AdminUser {
  id: number
  username: string
  displayName: string
  isBot: boolean
  isAdmin: boolean
  disabled: boolean
  mustChangePassword: boolean
  deleted: boolean
  createdAt: string
  lastSignInAt: string | null
}

/** One administrator's action (GET /api/v1/admin/audit); `actor` null is the server itself. */
export interface AuditEntry {
  id: number
  at: string
  actor: { id: number; username: string } | null
  action: 'disable' | 'enable' | 'reset-password' | 'grant-admin' | 'revoke-admin'
  target: { id: number; username: string }
  detail: string
}

export interface Media {
  id: number
  url: string
  contentType: string
  size: number
  name?: string | null
}

export type MessageKind = 'text' | 'image' | 'audio' | 'video' | 'file' | 'system' | 'call'

export interface Message {
  id: number
  conversationId: string
  seq: number
  senderId: number
  kind: MessageKind
  text: string
  media?: Media | null
  replyToSeq?: number | null
  clientMsgId: string
  sentAt: string
  editedAt?: string | null
  recalled: boolean
  /** Kind `call`: the call and, once it ended, its outcome and duration. */
  call?: MessageCall | null
  /** A bot's reply: "streaming" while it grows, then null (complete), "stopped" or "failed" (docs/bots.md). */
  status?: 'streaming' | 'stopped' | 'failed' | null
  /** Why a bot's reply failed (or was cut), in words for people. */
  notice?: string | null
}

export interface Conversation {
  id: string
  kind: 'direct' | 'group'
  title: string
  peer?: User | null
  groupId?: number | null
  lastMessage?: Message | null
  lastSeq: number
  readSeq: number
  unread: number
  /** Direct conversations: how far the other user has read. */
  peerReadSeq?: number | null
  /** The call ringing or running in it, if any. */
  call?: Call | null
}

export interface GroupMember {
  user: User
  role: 'owner' | 'admin' | 'member'
}

export interface Group {
  id: number
  name: string
  description: string
  iconUrl: string | null
  ownerId: number
  memberCount: number
  conversationId: string
  members?: GroupMember[]
}

export interface Session {
  userId: number
  token: string
  user: User
}

/** One sign-in of your account (GET /api/v1/users/me/sessions); `current` is this page's. */
export interface SignedInSession {
  id: string
  createdAt: string
  lastSeenAt: string
  expiresAt: string
  userAgent: string
  address: string
  current: boolean
}

/** A message as the client shows it: a server message, or one of ours still on its way. */
export interface ChatItem extends Message {
  state: 'sending' | 'sent' | 'failed'
  error?: string
  /** For a failed send: the request to repeat (same clientMsgId, so the server keeps one copy). */
  retry?: SendRequest
}

export interface SendRequest {
  conversationId: string
  clientMsgId: string
  kind: MessageKind
  text?: string
  mediaId?: number
  replyToSeq?: number
}
