// Every server-to-client event of the hub /hubs/chat, by its wire name, with its payload: the one
// place the web client names them (docs/api.md, "SignalR hub"; the server sends them from
// WebFront/Realtime). A new event (a call ringing, a streamed bot reply) is one more entry here;
// the link store registers handlers only through this table, so a misspelt name or a wrong
// payload type does not compile.
import type { Call, CallMedia, CallSignal, CallSignalEvent } from './callTypes'
import type { Conversation, Message, SendRequest } from './types'

/** `read`: the other member of a direct conversation has read it through `seq`. */
export interface ReadEvent {
  conversationId: string
  userId: number
  seq: number
}

/** `typing`: a member is typing in a conversation (sent at most every few seconds while they type). */
export interface TypingEvent {
  conversationId: string
  userId: number
}

/** `presence`: a friend came online or went offline. */
export interface PresenceEvent {
  userId: number
  online: boolean
}

/**
 * `resync`: live events may have been missed because a delivery route was rebuilt; Sync and fetch
 * gaps by seq. `conversationId` is the group concerned, or null for all of the user's conversations.
 */
export interface ResyncEvent {
  conversationId: string | null
}

/**
 * `messageStreaming`: a bot's reply `seq` so far (the whole text, not a delta), a few times a
 * second while it streams; the final text comes once as `messageUpdated`.
 */
export interface StreamingEvent {
  conversationId: string
  seq: number
  senderId: number
  text: string
}

export interface HubEvents {
  /** A new message in one of your conversations (also your own, sent from another device). */
  message: Message
  /** A message was edited or recalled. */
  messageUpdated: Message
  read: ReadEvent
  typing: TypingEvent
  presence: PresenceEvent
  /** You joined a group (or were added): its conversation, as Sync would list it. */
  conversationUpdated: Conversation
  resync: ResyncEvent
  /** A call rings you (every connection of yours). */
  callRinging: Call
  /** A call in one of your conversations changed. */
  callUpdated: Call
  /** A WebRTC signal from another participant of the call this connection is in. */
  callSignal: CallSignalEvent
  messageStreaming: StreamingEvent
}

export type HubEventName = keyof HubEvents

export type HubHandler<K extends HubEventName> = (payload: HubEvents[K]) => void

/** The hub's client-to-server methods (docs/api.md): each resolves when done, or rejects with the server's HubException. */
export interface HubMethods {
  /** The caller's conversations with their lastSeq; events flow from the moment it returns. */
  Sync(): Conversation[]
  SendMessage(request: SendRequest): Message
  MarkRead(conversationId: string, seq: number): void
  Typing(conversationId: string): void
  /** Starts a call, or joins the one already ringing or running in the conversation. */
  StartCall(conversationId: string, media: CallMedia): Call
  AcceptCall(callId: string): Call
  DeclineCall(callId: string): Call
  LeaveCall(callId: string): Call
  SendCallSignal(callId: string, toUserId: number, signal: CallSignal): void
  /** Stops a bot's reply while it streams (the asker, or a group's owner or admin). */
  StopReply(conversationId: string, seq: number): void
}

export type HubMethodName = keyof HubMethods
