// Just enough of the browser's media and WebRTC for the call tests: the camera, microphone and screen
// answer only when a test grants them (so a test can act while they are opening), and each
// connection records the tracks added to it as they were at that moment.
import { vi } from 'vitest'

export class FakeTrack {
  private static count = 0
  readonly id = `track-${++FakeTrack.count}`
  enabled = true
  readyState: MediaStreamTrackState = 'live'
  onended: (() => void) | null = null
  constructor(readonly kind: 'audio' | 'video') {}
  stop() { this.readyState = 'ended' }
}

export class FakeStream {
  private static count = 0
  readonly id = `stream-${++FakeStream.count}`
  onremovetrack: (() => void) | null = null
  private tracks: FakeTrack[]
  constructor(tracks: FakeTrack[] = []) { this.tracks = [...tracks] }
  getTracks() { return [...this.tracks] }
  getAudioTracks() { return this.tracks.filter(t => t.kind === 'audio') }
  getVideoTracks() { return this.tracks.filter(t => t.kind === 'video') }
  addTrack(track: FakeTrack) { if (!this.tracks.includes(track)) this.tracks.push(track) }
  removeTrack(track: FakeTrack) { this.tracks = this.tracks.filter(t => t !== track) }
}

/** A track as it was when a connection took it: whether it was on then, not later. */
export interface SentTrack {
  track: FakeTrack
  kind: string
  enabledWhenAdded: boolean
}

export class FakePeerConnection {
  static all: FakePeerConnection[] = []
  readonly sent: SentTrack[] = []
  readonly received: string[] = []
  signalingState: RTCSignalingState = 'stable'
  connectionState: RTCPeerConnectionState = 'new'
  private senders: { track: FakeTrack | null; getParameters(): RTCRtpSendParameters }[] = []
  constructor(private config: RTCConfiguration) { FakePeerConnection.all.push(this) }
  addTrack(track: FakeTrack) {
    this.sent.push({ track, kind: track.kind, enabledWhenAdded: track.enabled })
    const sender = { track: track as FakeTrack | null, getParameters: () => ({ encodings: [] }) as unknown as RTCRtpSendParameters }
    this.senders.push(sender)
    return sender
  }
  removeTrack(sender: { track: FakeTrack | null }) { sender.track = null }
  getSenders() { return [...this.senders] }
  addTransceiver(kind: string) { this.received.push(kind) }
  getTransceivers() { return this.senders.flatMap(s => (s.track ? [{ receiver: { track: { kind: s.track.kind } } }] : [])) }
  getConfiguration() { return this.config }
  setConfiguration(config: RTCConfiguration) { this.config = config }
  close() { this.connectionState = 'closed' }
}

interface Request {
  kinds: ('audio' | 'video')[]
  resolve(stream: FakeStream): void
  reject(error: Error): void
}

/** The page's devices: each getUserMedia / getDisplayMedia waits until the test grants or refuses it. */
export class FakeDevices {
  readonly pending: Request[] = []

  getUserMedia = (c: MediaStreamConstraints) => this.ask([...(c.audio ? ['audio' as const] : []), ...(c.video ? ['video' as const] : [])])
  getDisplayMedia = () => this.ask(['video'])

  /** Answers the oldest open request with fresh live tracks of the kinds it asked for. */
  async grant(): Promise<FakeTrack[]> {
    const request = this.next()
    const tracks = request.kinds.map(kind => new FakeTrack(kind))
    request.resolve(new FakeStream(tracks))
    await settle()
    return tracks
  }

  async refuse(): Promise<void> {
    this.next().reject(new Error('NotAllowedError'))
    await settle()
  }

  private ask(kinds: ('audio' | 'video')[]) {
    return new Promise<FakeStream>((resolve, reject) => this.pending.push({ kinds, resolve, reject }))
  }

  private next(): Request {
    const request = this.pending.shift()
    if (!request) throw new Error('No device request is waiting')
    return request
  }
}

/** Installs the fakes as the page's MediaStream, RTCPeerConnection and navigator.mediaDevices. */
export function installFakeMedia(): FakeDevices {
  const devices = new FakeDevices()
  FakePeerConnection.all = []
  vi.stubGlobal('MediaStream', FakeStream)
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection)
  Object.defineProperty(navigator, 'mediaDevices', { value: devices, configurable: true })
  return devices
}

/** Lets every already-settled promise chain run on. */
export const settle = () => new Promise<void>(resolve => setTimeout(resolve, 0))
