// What this page sends in a call: the camera and microphone as captured, a shared screen, mute, and
// those tracks on the mesh's connections (turning the camera or the screen on or off renegotiates
// them). The connections and their negotiation are callMesh.ts's.
import type { CallMedia } from './callTypes'

/** What the devices need from the mesh: the connections that carry our tracks, a word for the person, and to say something changed. */
export interface DeviceLinks {
  /** The connections our tracks were added to; a camera or screen turned on later joins only these. */
  sending(): Iterable<RTCPeerConnection>
  notify(notice: string | null): void
  changed(): void
}

export class CallDevices {
  /** Microphone and camera, as captured; an empty stream when neither could be opened. */
  local: MediaStream | null = null
  screen: MediaStream | null = null
  muted = false
  cameraOff: boolean
  /** Set once the call ends here: a capture still opening then is stopped as it arrives, never sent. */
  private stopped = false

  constructor(private readonly media: CallMedia, private readonly links: DeviceLinks) {
    this.cameraOff = media === 'audio'
  }

  /**
   * Opens the microphone and camera and keeps them as `local`. The person may hang up while the
   * browser asks for them: what opens after that is stopped at once, so no camera is left on.
   */
  async open(): Promise<void> {
    const local = await this.capture()
    if (this.stopped) return stopTracks(local)
    // Mute or camera off pressed while they opened holds for them, before any connection takes them.
    for (const track of local.getAudioTracks()) track.enabled = !this.muted
    if (this.cameraOff)
      for (const track of local.getVideoTracks()) {
        local.removeTrack(track)
        track.stop()
      }
    this.local = local
  }

  /** Opens the microphone, and the camera for a video call; a missing or refused camera falls back to audio only. */
  private async capture(): Promise<MediaStream> {
    const devices = navigator.mediaDevices
    if (this.media === 'video') {
      try {
        return await devices.getUserMedia({ audio: true, video: true })
      } catch {
        this.cameraOff = true
        this.links.notify('Your camera is not available, so you are in this call with audio only.')
      }
    }
    try {
      return await devices.getUserMedia({ audio: true })
    } catch {
      this.links.notify('Your microphone and camera are not available: you can hear and see the others, but they cannot hear or see you.')
      return new MediaStream()
    }
  }

  /** Our tracks on a connection; with nothing to send it still asks to receive, so an offer from it has media. */
  addTo(pc: RTCPeerConnection): void {
    const local = this.local ?? new MediaStream()
    for (const track of local.getTracks()) pc.addTrack(track, local)
    if (this.screen) for (const track of this.screen.getTracks()) pc.addTrack(track, this.screen)
    const kinds = pc.getTransceivers().map(t => t.receiver.track.kind)
    if (!kinds.includes('audio')) pc.addTransceiver('audio', { direction: 'recvonly' })
    if (this.media === 'video' && !kinds.includes('video')) pc.addTransceiver('video', { direction: 'recvonly' })
  }

  setMuted(muted: boolean): void {
    this.muted = muted
    for (const track of this.local?.getAudioTracks() ?? []) track.enabled = !muted
    this.links.changed()
  }

  /**
   * Camera off removes its track from every connection, camera on adds one: both renegotiate. Off
   * while the devices still open is kept, and open() leaves the camera off when it arrives. One
   * camera request at a time: a second press while the browser asks waits for the first (else two
   * cameras open and one is dropped still running), and off pressed meanwhile stops it on arrival.
   */
  async setCamera(on: boolean): Promise<void> {
    const local = this.local
    if (!on) {
      this.offPresses.camera++
      for (const track of local?.getVideoTracks() ?? []) {
        this.withdraw(track)
        local?.removeTrack(track)
      }
      this.cameraOff = true
    } else if (local && !local.getVideoTracks().length) {
      await (this.opening.camera ??= this.addCamera(local).finally(() => { this.opening.camera = null }))
    }
    this.links.changed()
  }

  private async addCamera(local: MediaStream): Promise<void> {
    const offPresses = this.offPresses.camera
    const camera = await navigator.mediaDevices.getUserMedia({ video: true })
    if (this.stopped || offPresses !== this.offPresses.camera) return stopTracks(camera)
    const track = camera.getVideoTracks()[0]
    local.addTrack(track)
    for (const pc of this.links.sending()) pc.addTrack(track, local)
    this.cameraOff = false
    this.links.notify(null)
  }

  /**
   * Shares the screen as one more video track on every connection (renegotiation); stopping
   * removes it. One request at a time, as for the camera; stopping while it opens stops it on arrival.
   */
  async shareScreen(on: boolean): Promise<void> {
    if (on && !this.screen) {
      await (this.opening.screen ??= this.addScreen().finally(() => { this.opening.screen = null }))
    } else if (!on) {
      this.offPresses.screen++
      if (this.screen) {
        for (const track of this.screen.getTracks()) this.withdraw(track)
        this.screen = null
      }
    }
    this.links.changed()
  }

  private async addScreen(): Promise<void> {
    const offPresses = this.offPresses.screen
    const screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })
    if (this.stopped || offPresses !== this.offPresses.screen) return stopTracks(screen)
    const track = screen.getVideoTracks()[0]
    track.onended = () => { void this.shareScreen(false) }
    this.screen = screen
    for (const pc of this.links.sending()) pc.addTrack(track, screen)
  }

  /** A camera or screen request the browser is still answering. */
  private readonly opening: { camera: Promise<void> | null; screen: Promise<void> | null } = { camera: null, screen: null }
  /** Counts "off" presses: a request that sees the count change while it was open was cancelled. */
  private readonly offPresses = { camera: 0, screen: 0 }

  /** Stops every track: the camera's light goes out when the call ends for this page. */
  stop(): void {
    this.stopped = true
    if (this.local) stopTracks(this.local)
    if (this.screen) stopTracks(this.screen)
    this.local = null
    this.screen = null
  }

  /** Takes a track off every connection that sends it, then stops it. */
  private withdraw(track: MediaStreamTrack): void {
    for (const pc of this.links.sending()) {
      const sender = pc.getSenders().find(s => s.track === track)
      if (sender) pc.removeTrack(sender)
    }
    track.stop()
  }
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop()
}

/** Every video sender capped at `cap` bits per second, so each copy of our video fits beside the others on the uplink. */
export function capVideoBitrates(connections: Iterable<RTCPeerConnection>, cap: number): void {
  for (const pc of connections)
    for (const sender of pc.getSenders()) {
      if (sender.track?.kind !== 'video') continue
      const parameters = sender.getParameters()
      if (!parameters.encodings?.length) continue
      if (parameters.encodings.every(e => e.maxBitrate === cap)) continue
      for (const encoding of parameters.encodings) encoding.maxBitrate = cap
      void sender.setParameters(parameters).catch(() => {})
    }
}
