// The media of one call on this page: one RTCPeerConnection per other participant (a full mesh),
// each negotiated with the perfect negotiation pattern (roles in negotiation.ts), carrying what
// callDevices.ts captures. Signals go out through `send` and come in through `receive`; the hub
// carries them (docs/calls.md).
import { CallDevices, capVideoBitrates } from './callDevices'
import type { CallMedia, CallSignal } from './callTypes'
import { isPolite, offerCollides, onDescription, restartsIce, videoBitrateCap } from './negotiation'

/** What the mesh needs from the page: a way to signal, fresh ICE servers, and to say something changed. */
export interface MeshLinks {
  send(to: number, signal: CallSignal): Promise<void>
  iceServers(): Promise<RTCIceServer[]>
  changed(): void
}

/** One remote stream to show: a person's camera and microphone, or a shared screen. */
export interface RemoteTile {
  peerId: number
  stream: MediaStream
  kind: 'person' | 'screen'
}

interface Peer {
  id: number
  pc: RTCPeerConnection
  polite: boolean
  makingOffer: boolean
  ignoreOffer: boolean
  settingRemoteAnswer: boolean
  tracksAdded: boolean
  streams: Map<string, MediaStream>
  pending: RTCIceCandidateInit[]
  /** Signals are handled one at a time per peer, in the order they came. */
  queue: Promise<void>
  offeredAt: number
  disconnectedTimer?: number
}

/** A connection left disconnected this long restarts ICE (the impolite end), before the browser calls it failed. */
const disconnectedGraceMs = 4000
/** An offer unanswered this long is sent again (a signal lost while the hub reconnected). */
const offerRetryMs = 8000

export class CallMesh {
  /** Camera, microphone and screen: what this page sends, and the controls for it. */
  readonly devices: CallDevices
  /** Why this page sends less than asked (no camera, no microphone) or cannot connect, in words for the person. */
  notice: string | null = null
  readonly peers = new Map<number, Peer>()
  private servers: RTCIceServer[] = []
  private closed = false
  private watchdog: number
  /** Signals that arrive while the devices open wait for them, so the answer carries our tracks. */
  private ready: Promise<void>
  private started!: () => void

  constructor(private readonly me: number, media: CallMedia, private readonly links: MeshLinks) {
    this.devices = new CallDevices(media, {
      sending: () => [...this.peers.values()].filter(p => p.tracksAdded).map(p => p.pc),
      notify: notice => { this.notice = notice },
      changed: () => links.changed(),
    })
    this.watchdog = window.setInterval(() => this.resendStaleOffers(), 2000)
    this.ready = new Promise(resolve => { this.started = resolve })
  }

  /** Opens the devices and fetches the ICE servers; a missing or refused camera falls back to audio only. */
  async start(): Promise<void> {
    const [servers] = await Promise.all([this.links.iceServers().catch(() => []), this.devices.open()])
    this.servers = servers
    this.started()
    this.links.changed()
  }

  /** Starts a connection to a peer already in the call: this page offers (it joined after them). */
  offerTo(peerId: number): void {
    if (this.closed || this.peers.has(peerId)) return
    this.createPeer(peerId, true)
  }

  /** A signal from a peer; a first offer from a newcomer makes its connection. */
  receive(from: number, signal: CallSignal): Promise<void> {
    if (this.closed) return Promise.resolve()
    const queued = this.ready.then(() => {
      if (this.closed) return
      const peer = this.peers.get(from) ?? this.createPeer(from, false)
      peer.queue = peer.queue.then(() => this.handle(this.peers.get(from) ?? peer, signal)).catch(() => {})
      return peer.queue
    })
    return queued
  }

  /** A peer left the call. */
  drop(peerId: number): void {
    const peer = this.peers.get(peerId)
    if (!peer) return
    window.clearTimeout(peer.disconnectedTimer)
    peer.pc.close()
    this.peers.delete(peerId)
    this.applyBitrateCaps()
    this.links.changed()
  }

  /** What to show of the others: each peer's person stream (audio, camera) and any screen they share. */
  tiles(): RemoteTile[] {
    const tiles: RemoteTile[] = []
    for (const peer of this.peers.values())
      for (const stream of peer.streams.values())
        if (stream.getTracks().some(t => t.readyState === 'live'))
          tiles.push({ peerId: peer.id, stream, kind: stream.getAudioTracks().length || peer.streams.size === 1 ? 'person' : 'screen' })
    return tiles
  }

  /** Whether any connection is down just now (the page shows "Reconnecting…"). */
  reconnecting(): boolean {
    return [...this.peers.values()].some(p => p.pc.connectionState === 'disconnected' || p.pc.connectionState === 'failed')
  }

  close(): void {
    this.closed = true
    window.clearInterval(this.watchdog)
    for (const id of [...this.peers.keys()]) this.drop(id)
    this.devices.stop()
  }

  private createPeer(id: number, offering: boolean): Peer {
    const pc = new RTCPeerConnection({ iceServers: this.servers })
    const peer: Peer = {
      id, pc, polite: isPolite(this.me, id), makingOffer: false, ignoreOffer: false, settingRemoteAnswer: false,
      tracksAdded: false, streams: new Map(), pending: [], queue: Promise.resolve(), offeredAt: 0,
    }
    this.peers.set(id, peer)
    pc.onnegotiationneeded = async () => {
      try {
        peer.makingOffer = true
        await pc.setLocalDescription()
        peer.offeredAt = Date.now()
        await this.sendDescription(peer)
      } catch {
        // superseded by an incoming offer (perfect negotiation) or the connection closed
      } finally {
        peer.makingOffer = false
      }
    }
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) void this.links.send(id, { candidate: candidate.toJSON() }).catch(() => {})
    }
    pc.ontrack = ({ track, streams }) => {
      const stream = streams[0] ?? new MediaStream([track])
      peer.streams.set(stream.id, stream)
      stream.onremovetrack = () => {
        if (!stream.getTracks().length) peer.streams.delete(stream.id)
        this.links.changed()
      }
      track.onended = () => this.links.changed()
      this.links.changed()
    }
    pc.onicecandidateerror = e => {
      // 401 and 431: the TURN server refused the credential (a wrong secret on one side, or an expired credential).
      if (e.errorCode !== 401 && e.errorCode !== 431) return
      this.notice = 'The media relay (TURN server) refused this call\'s credentials, so the call cannot connect through it. Ask the server\'s administrator to check the TURN secret.'
      this.links.changed()
    }
    pc.onconnectionstatechange = () => this.connectionChanged(peer)
    pc.onsignalingstatechange = () => {
      if (pc.signalingState === 'stable') this.applyBitrateCaps()
    }
    if (offering) this.addLocalTracks(peer)
    this.applyBitrateCaps()
    this.links.changed()
    return peer
  }

  /** Our tracks on a connection, once: an offerer adds them at once, an answerer when the first offer comes. */
  private addLocalTracks(peer: Peer): void {
    peer.tracksAdded = true
    this.devices.addTo(peer.pc)
  }

  private async handle(peer: Peer, signal: CallSignal): Promise<void> {
    const description = signal.description
    if (description) {
      const collides = offerCollides(description.type, peer.makingOffer, peer.pc.signalingState, peer.settingRemoteAnswer)
      peer.ignoreOffer = onDescription(peer.polite, collides) === 'ignore'
      if (peer.ignoreOffer) return
      peer.settingRemoteAnswer = description.type === 'answer'
      try {
        await peer.pc.setRemoteDescription(description)
      } catch (e) {
        // A peer whose page reloaded offers from a new session (new DTLS identity): start this connection over.
        if (description.type !== 'offer' || !peer.pc.remoteDescription) throw e
        peer = this.restartPeer(peer)
        await peer.pc.setRemoteDescription(description)
      } finally {
        peer.settingRemoteAnswer = false
      }
      if (description.type === 'offer') {
        if (!peer.tracksAdded) this.addLocalTracks(peer)
        await peer.pc.setLocalDescription()
        await this.sendDescription(peer)
      } else {
        peer.offeredAt = 0
      }
      for (const candidate of peer.pending.splice(0)) await peer.pc.addIceCandidate(candidate).catch(() => {})
    } else if (signal.candidate) {
      if (!peer.pc.remoteDescription) {
        peer.pending.push(signal.candidate)
        return
      }
      try {
        await peer.pc.addIceCandidate(signal.candidate)
      } catch (e) {
        if (!peer.ignoreOffer) throw e
      }
    }
  }

  private restartPeer(old: Peer): Peer {
    window.clearTimeout(old.disconnectedTimer)
    old.pc.close()
    this.peers.delete(old.id)
    const peer = this.createPeer(old.id, false)
    peer.queue = old.queue
    return peer
  }

  private sendDescription(peer: Peer): Promise<void> {
    const d = peer.pc.localDescription
    return d ? this.links.send(peer.id, { description: { type: d.type, sdp: d.sdp } }).catch(() => {}) : Promise.resolve()
  }

  private connectionChanged(peer: Peer): void {
    const state = peer.pc.connectionState
    window.clearTimeout(peer.disconnectedTimer)
    if (state === 'failed' && !this.notice) this.notice = 'The call\'s media could not connect. Trying again…'
    if (state === 'connected' && this.notice?.startsWith('The call\'s media could not connect')) this.notice = null
    if (restartsIce(state, peer.polite)) void this.restartIce(peer)
    else if (state === 'disconnected' && !peer.polite)
      peer.disconnectedTimer = window.setTimeout(() => {
        if (peer.pc.connectionState === 'disconnected') void this.restartIce(peer)
      }, disconnectedGraceMs)
    this.links.changed()
  }

  /** A failed (or long disconnected) connection: fresh TURN credentials, then an ICE restart offer. */
  private async restartIce(peer: Peer): Promise<void> {
    if (this.closed || this.peers.get(peer.id) !== peer) return
    try {
      this.servers = await this.links.iceServers()
      peer.pc.setConfiguration({ ...peer.pc.getConfiguration(), iceServers: this.servers })
    } catch {
      // keep the servers we have
    }
    peer.pc.restartIce()
  }

  private resendStaleOffers(): void {
    for (const peer of this.peers.values())
      if (peer.pc.signalingState === 'have-local-offer' && peer.offeredAt && Date.now() - peer.offeredAt > offerRetryMs) {
        peer.offeredAt = Date.now()
        void this.sendDescription(peer)
      }
  }

  /** Every video sender capped by the mesh's size, so each copy fits beside the others on the uplink. */
  private applyBitrateCaps(): void {
    capVideoBitrates([...this.peers.values()].map(p => p.pc), videoBitrateCap(this.peers.size))
  }
}
