// Shapes of calls on the wire (docs/api.md, "Calls"; docs/calls.md).

export type CallMedia = 'audio' | 'video'
export type CallState = 'ringing' | 'accepted' | 'ended'
export type CallOutcome = 'completed' | 'declined' | 'cancelled' | 'missed' | 'busy' | 'failed'
export type ParticipantState = 'ringing' | 'joined' | 'reconnecting' | 'declined' | 'missed' | 'busy' | 'left'

export interface CallParticipant {
  userId: number
  state: ParticipantState
}

/** A call as `callRinging`, `callUpdated`, the call methods and Sync show it. */
export interface Call {
  callId: string
  conversationId: string
  media: CallMedia
  callerId: number
  state: CallState
  outcome: CallOutcome | null
  participants: CallParticipant[]
  startedAt: string
  acceptedAt: string | null
  endedAt: string | null
  /** Grows with every change: of two views of a call, the higher is newer. */
  version: number
}

/** What a call message (kind `call`) says about its call. */
export interface MessageCall {
  callId: string
  media: CallMedia
  outcome: CallOutcome | null
  durationSeconds: number | null
  endedAt: string | null
}

/** A WebRTC signal relayed between two participants: a description or an ICE candidate. */
export interface CallSignal {
  description?: { type: RTCSdpType; sdp: string } | null
  candidate?: RTCIceCandidateInit | null
}

/** `callSignal`: a signal from another participant, to the connection this page is in the call with. */
export interface CallSignalEvent {
  callId: string
  fromUserId: number
  signal: CallSignal
}

export interface IceServers {
  iceServers: RTCIceServer[]
  ttlSeconds: number
}
