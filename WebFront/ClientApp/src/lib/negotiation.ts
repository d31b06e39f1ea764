// Perfect negotiation (W3C WebRTC, "Perfect negotiation example"), as pure rules: each pair of
// participants has one polite and one impolite end, fixed by their user ids, so both may
// renegotiate at any time (camera, screen, ICE restart) without wedging.

/** The end with the smaller user id is polite: it gives way when offers cross. */
export function isPolite(me: number, peer: number): boolean {
  return me < peer
}

/** Whether an incoming offer collides with one of ours in flight. */
export function offerCollides(type: RTCSdpType, makingOffer: boolean, signalingState: RTCSignalingState, settingRemoteAnswer: boolean): boolean {
  if (type !== 'offer') return false
  const readyForOffer = !makingOffer && (signalingState === 'stable' || settingRemoteAnswer)
  return !readyForOffer
}

/** What to do with an incoming description: the impolite end ignores a colliding offer, the polite end rolls back and takes it. */
export function onDescription(polite: boolean, collides: boolean): 'ignore' | 'accept' {
  return collides && !polite ? 'ignore' : 'accept'
}

/**
 * Whether this end restarts ICE: when the connection failed (a network change), the impolite end
 * does, with fresh TURN credentials; the polite end waits for its offer, so they do not both restart.
 */
export function restartsIce(connectionState: RTCPeerConnectionState, polite: boolean): boolean {
  return connectionState === 'failed' && !polite
}

/**
 * Each video sender's bitrate cap, by how many peers it sends to: a mesh sends one copy per peer,
 * so four people fit an ordinary uplink (about 1.5 Mbit/s up for three copies).
 */
export function videoBitrateCap(peers: number): number {
  if (peers <= 1) return 1_500_000
  if (peers === 2) return 800_000
  return 500_000
}
