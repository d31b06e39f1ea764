import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { errorText, get } from '../lib/api'
import { CallMesh, type RemoteTile } from '../lib/callMesh'
import { currentCall, incomingCall, joinableCall, noCalls, peersOf, reduceCalls, type CallAction } from '../lib/callState'
import type { Call, CallMedia, IceServers } from '../lib/callTypes'
import type { Conversation } from '../lib/types'
import type { SyncReason } from './link'
import { useLink } from './link'
import { usePeople } from './people'

/**
 * Calls on this page: what the server says of the user's calls (lib/callState.ts, fed by the hub's
 * call events and Sync), the call this page is in, and its media (lib/callMesh.ts). The server
 * decides; this store asks (start, answer, decline, hang up) and shows what it answers.
 */
export const useCalls = defineStore('calls', () => {
  const link = useLink()
  const people = usePeople()
  const state = shallowRef(noCalls())
  const mesh = shallowRef<CallMesh | null>(null)
  /** Moves whenever the mesh changes (streams, connection states), for what shows it. */
  const meshTick = ref(0)
  /** What went wrong with the last call request, in words for the person. */
  const error = ref<string | null>(null)
  /** The call this page was in that just ended, shown briefly with its outcome. */
  const ended = ref<Call | null>(null)

  const current = computed(() => currentCall(state.value))
  const incoming = computed(() => incomingCall(state.value, people.me))
  const tiles = computed<RemoteTile[]>(() => (meshTick.value, mesh.value?.tiles() ?? []))
  const peersDown = computed(() => (meshTick.value, mesh.value?.reconnecting() ?? false))

  function joinable(conversationId: string, isGroup: boolean): Call | null {
    return joinableCall(state.value, conversationId, people.me, isGroup)
  }

  function dispatch(action: CallAction) {
    const before = state.value
    state.value = reduceCalls(before, action)
    if (before.here && !state.value.here) {
      const last = before.calls[before.here]
      const seen = action.type === 'seen' && action.call.callId === before.here ? action.call : null
      ended.value = seen ?? (last ? { ...last, state: 'ended' } : null)
      closeMesh()
    }
    followPeers()
  }

  link.on('callRinging', call => dispatch({ type: 'seen', call }))
  link.on('callUpdated', call => dispatch({ type: 'seen', call }))
  link.on('callSignal', e => {
    if (e.callId === state.value.here) void mesh.value?.receive(e.fromUserId, e.signal)
  })

  /** Peers who left are dropped; newcomers offer to this page themselves. */
  function followPeers() {
    const call = current.value
    const m = mesh.value
    if (!call || !m) return
    const inCall = new Set(peersOf(call, people.me))
    for (const id of [...m.peers.keys()]) if (!inCall.has(id)) m.drop(id)
  }

  async function start(conversationId: string, media: CallMedia) {
    await join(() => link.invoke('StartCall', conversationId, media))
  }

  async function accept(callId: string) {
    await join(() => link.invoke('AcceptCall', callId))
  }

  /** Enters a call the server says this page is now in: opens the devices, then offers to everyone already there. */
  async function join(ask: () => Promise<Call>) {
    error.value = null
    ended.value = null
    let call: Call
    try {
      call = await ask()
    } catch (e) {
      error.value = callError(e)
      return
    }
    if (call.state === 'ended') {
      dispatch({ type: 'seen', call })
      ended.value = call
      return
    }
    const m = new CallMesh(people.me, call.media, {
      send: (to, signal) => link.invoke('SendCallSignal', call.callId, to, signal),
      iceServers: async () => (await get<IceServers>('/api/v1/calls/ice-servers')).iceServers,
      changed: () => { meshTick.value++ },
    })
    mesh.value?.close()
    mesh.value = m
    dispatch({ type: 'joinedHere', call })
    await m.start()
    if (mesh.value !== m) return
    const now = current.value ?? call
    for (const peer of peersOf(now, people.me)) m.offerTo(peer)
  }

  async function decline(callId: string) {
    error.value = null
    try {
      dispatch({ type: 'seen', call: await link.invoke('DeclineCall', callId) })
    } catch (e) {
      error.value = callError(e)
    }
  }

  async function hangUp() {
    const callId = state.value.here
    if (!callId) return
    dispatch({ type: 'leftHere' })
    try {
      dispatch({ type: 'seen', call: await link.invoke('LeaveCall', callId) })
    } catch {
      // over already, or the link is down: the server ends our part after the reconnect grace
    }
  }

  function dismissEnded() {
    ended.value = null
  }

  /**
   * Sync lists the calls ringing or running in the user's conversations. After a reconnect the
   * page takes its place in its call again on the new connection.
   */
  async function applySync(list: Conversation[], reason: SyncReason) {
    dispatch({ type: 'synced', calls: list.flatMap(c => (c.call ? [c.call] : [])) })
    const here = state.value.here
    if (reason !== 'connected' || !here) return
    try {
      dispatch({ type: 'seen', call: await link.invoke('AcceptCall', here) })
    } catch (e) {
      error.value = callError(e)
      dispatch({ type: 'leftHere' })
    }
  }

  function closeMesh() {
    mesh.value?.close()
    mesh.value = null
    meshTick.value++
  }

  function reset() {
    closeMesh()
    meshTick.value = 0
    state.value = noCalls()
    error.value = null
    ended.value = null
  }

  return {
    state, mesh, meshTick, error, ended, current, incoming, tiles, peersDown,
    joinable, start, accept, decline, hangUp, dismissEnded, applySync, reset,
  }
})

/** A refusal's reason in words ("busy: bob is in another call" -> "Bob is in another call."). */
function callError(e: unknown): string {
  const text = errorText(e)
  const at = text.indexOf('HubException: ')
  const reason = at >= 0 ? text.slice(at + 'HubException: '.length) : text
  const colon = reason.indexOf(': ')
  const words = colon > 0 && colon < 24 ? reason.slice(colon + 2) : reason
  return words ? words[0].toUpperCase() + words.slice(1) : 'The call could not be set up.'
}
