// The calls a page knows of, as a pure reducer: what the server said (callRinging, callUpdated, the
// call methods' answers, Sync) and what this page did (joined a call here, left it). Views of a call
// reach the page by different routes (a group's route, the user's own), so the highest version wins,
// and a call once seen ended never comes back.
import type { Call, MessageCall } from './callTypes'

export interface CallsState {
  /** Live calls by id. */
  calls: Record<string, Call>
  /** Calls seen ended (newest last, bounded): late views of them are ignored. */
  ended: string[]
  /** The call this page is in (it started or answered it here), if any. */
  here: string | null
}

export type CallAction =
  | { type: 'seen'; call: Call }
  | { type: 'joinedHere'; call: Call }
  | { type: 'leftHere' }
  | { type: 'synced'; calls: Call[] }

const endedKept = 200

export const noCalls = (): CallsState => ({ calls: {}, ended: [], here: null })

export function reduceCalls(state: CallsState, action: CallAction): CallsState {
  switch (action.type) {
    case 'seen':
      return see(state, action.call)
    case 'joinedHere': {
      const next = see(state, action.call)
      return next.calls[action.call.callId] ? { ...next, here: action.call.callId } : next
    }
    case 'leftHere':
      return { ...state, here: null }
    case 'synced': {
      // Sync lists every call still ringing or running: any other was over while the page was away.
      let next: CallsState = { ...state, calls: {} }
      for (const call of action.calls) next = see(next, call, state.calls[call.callId])
      const gone = Object.keys(state.calls).filter(id => !next.calls[id])
      next = { ...next, ended: remember(next.ended, gone) }
      if (next.here && !next.calls[next.here]) next = { ...next, here: null }
      return next
    }
  }
}

function see(state: CallsState, call: Call, known: Call | undefined = state.calls[call.callId]): CallsState {
  if (state.ended.includes(call.callId)) return state
  if (known && known.version > call.version) return state.calls[call.callId] === known ? state : { ...state, calls: { ...state.calls, [call.callId]: known } }
  if (call.state === 'ended') {
    const { [call.callId]: _, ...calls } = state.calls
    return { calls, ended: remember(state.ended, [call.callId]), here: state.here === call.callId ? null : state.here }
  }
  return { ...state, calls: { ...state.calls, [call.callId]: call } }
}

function remember(ended: string[], ids: string[]): string[] {
  const all = [...ended.filter(id => !ids.includes(id)), ...ids]
  return all.length > endedKept ? all.slice(all.length - endedKept) : all
}

export function stateOf(call: Call, userId: number) {
  return call.participants.find(p => p.userId === userId)?.state ?? null
}

/** The call this page is in. */
export function currentCall(state: CallsState): Call | null {
  return state.here ? state.calls[state.here] ?? null : null
}

/** A call ringing this user that this page should ring for (none while the page is in a call). */
export function incomingCall(state: CallsState, me: number): Call | null {
  if (state.here) return null
  return Object.values(state.calls).find(c => c.state !== 'ended' && stateOf(c, me) === 'ringing') ?? null
}

/**
 * A call in the conversation this page could join: a group call running without this user here,
 * or any call this user is in but lost their connection to (back within the grace).
 */
export function joinableCall(state: CallsState, conversationId: string, me: number, isGroup: boolean): Call | null {
  const call = Object.values(state.calls).find(c => c.conversationId === conversationId && c.state !== 'ended')
  if (!call || state.here === call.callId) return null
  const mine = stateOf(call, me)
  if (mine === 'reconnecting') return call
  if (!isGroup || mine === 'ringing' || mine === 'joined') return null
  return call.state === 'accepted' ? call : null
}

/** The people this user shares the call with (joined or briefly away). */
export function peersOf(call: Call, me: number): number[] {
  return call.participants.filter(p => p.userId !== me && (p.state === 'joined' || p.state === 'reconnecting')).map(p => p.userId)
}

/** "0:05", "12:34", "1:02:03". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds))
  const clock = `${Math.floor(s / 60) % 60}:${String(s % 60).padStart(2, '0')}`
  return s >= 3600 ? `${Math.floor(s / 3600)}:${clock.padStart(5, '0')}` : clock
}

/** The line a call message shows. */
export function describeCallMessage(call: MessageCall, mine: boolean): string {
  const what = call.media === 'video' ? 'video call' : 'voice call'
  const title = what[0].toUpperCase() + what.slice(1)
  switch (call.outcome) {
    case null:
      return mine ? `Outgoing ${what}` : `Incoming ${what}`
    case 'completed':
      return `${title}, ${formatDuration(call.durationSeconds ?? 0)}`
    case 'missed':
      return mine ? `${title}, no answer` : `Missed ${what}`
    case 'declined':
      return `Declined ${what}`
    case 'cancelled':
      return mine ? `Cancelled ${what}` : `Missed ${what}`
    case 'busy':
      return `${title}, busy`
    case 'failed':
      return call.durationSeconds != null ? `${title}, ${formatDuration(call.durationSeconds)} (connection lost)` : `${title} failed`
  }
}
