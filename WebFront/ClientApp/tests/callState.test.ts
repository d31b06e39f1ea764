import { describe, expect, test } from 'vitest'
import type { Call, ParticipantState } from '../src/lib/callTypes'
import {
  currentCall, describeCallMessage, formatDuration, incomingCall, joinableCall, noCalls, peersOf, reduceCalls,
} from '../src/lib/callState'

const me = 2
const call = (version: number, state: Call['state'], participants: [number, ParticipantState][], more: Partial<Call> = {}): Call => ({
  callId: 'c1', conversationId: 'd:1:2', media: 'video', callerId: 1, state, outcome: null,
  participants: participants.map(([userId, s]) => ({ userId, state: s })),
  startedAt: '2025-01-01T00:00:00Z', acceptedAt: null, endedAt: null, version, ...more,
})
const ringing = call(1, 'ringing', [[1, 'joined'], [me, 'ringing']])
const answered = call(2, 'accepted', [[1, 'joined'], [me, 'joined']])
const ended = call(3, 'ended', [[1, 'left'], [me, 'left']], { outcome: 'completed' })

describe('call state', () => {
  test('A_call_ringing_this_user_rings_the_page_until_it_is_answered_anywhere', () => {
    let state = reduceCalls(noCalls(), { type: 'seen', call: ringing })
    expect(incomingCall(state, me)?.callId).toBe('c1')
    // Answered on another device: this user is joined, but not here.
    state = reduceCalls(state, { type: 'seen', call: answered })
    expect(incomingCall(state, me)).toBeNull()
    expect(currentCall(state)).toBeNull()
  })

  test('Answering_here_makes_it_the_current_call_and_its_end_clears_it', () => {
    let state = reduceCalls(noCalls(), { type: 'seen', call: ringing })
    state = reduceCalls(state, { type: 'joinedHere', call: answered })
    expect(currentCall(state)?.state).toBe('accepted')
    expect(incomingCall(state, me)).toBeNull()
    state = reduceCalls(state, { type: 'seen', call: ended })
    expect(currentCall(state)).toBeNull()
    expect(state.calls).toEqual({})
  })

  test('An_older_view_arriving_late_never_replaces_a_newer_one_nor_brings_an_ended_call_back', () => {
    let state = reduceCalls(noCalls(), { type: 'seen', call: answered })
    state = reduceCalls(state, { type: 'seen', call: ringing })
    expect(state.calls.c1.version).toBe(2)
    state = reduceCalls(state, { type: 'seen', call: ended })
    state = reduceCalls(state, { type: 'seen', call: answered })
    expect(state.calls).toEqual({})
  })

  test('Sync_drops_the_calls_it_no_longer_lists_and_the_page_leaves_a_call_that_ended_while_it_was_away', () => {
    let state = reduceCalls(noCalls(), { type: 'joinedHere', call: answered })
    state = reduceCalls(state, { type: 'synced', calls: [] })
    expect(currentCall(state)).toBeNull()
    state = reduceCalls(state, { type: 'seen', call: answered })
    expect(state.calls).toEqual({})
  })

  test('A_running_group_call_without_this_user_can_be_joined_and_a_ringing_one_rings_instead', () => {
    const group = (version: number, state: Call['state'], mine: ParticipantState) =>
      call(version, state, [[1, 'joined'], [3, 'joined'], [me, mine]], { conversationId: 'g:7' })
    let state = reduceCalls(noCalls(), { type: 'seen', call: group(1, 'ringing', 'ringing') })
    expect(joinableCall(state, 'g:7', me, true)).toBeNull()
    state = reduceCalls(state, { type: 'seen', call: group(2, 'accepted', 'missed') })
    expect(joinableCall(state, 'g:7', me, true)?.callId).toBe('c1')
    expect(joinableCall(state, 'd:1:2', me, false)).toBeNull()
    state = reduceCalls(state, { type: 'joinedHere', call: group(3, 'accepted', 'joined') })
    expect(joinableCall(state, 'g:7', me, true)).toBeNull()
    expect(peersOf(state.calls.c1, me)).toEqual([1, 3])
  })

  test('A_direct_call_this_user_lost_the_connection_to_can_be_joined_again', () => {
    const away = call(4, 'accepted', [[1, 'joined'], [me, 'reconnecting']])
    const state = reduceCalls(noCalls(), { type: 'seen', call: away })
    expect(joinableCall(state, 'd:1:2', me, false)?.callId).toBe('c1')
  })

  test('Durations_read_as_a_clock', () => {
    expect(formatDuration(5)).toBe('0:05')
    expect(formatDuration(754)).toBe('12:34')
    expect(formatDuration(3723)).toBe('1:02:03')
  })

  test('A_call_message_reads_from_the_readers_side', () => {
    const summary = { callId: 'c1', media: 'video' as const, outcome: 'missed' as const, durationSeconds: null, endedAt: null }
    expect(describeCallMessage(summary, false)).toBe('Missed video call')
    expect(describeCallMessage(summary, true)).toBe('Video call, no answer')
    expect(describeCallMessage({ ...summary, media: 'audio', outcome: 'completed', durationSeconds: 192 }, true)).toBe('Voice call, 3:12')
  })
})
