// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { CallMesh } from '../src/lib/callMesh'
import type { CallMedia } from '../src/lib/callTypes'
import { FakePeerConnection, installFakeMedia, settle, type FakeDevices } from './fakeMedia'

const me = 2
const other = 1
let devices: FakeDevices
let mesh: CallMesh

function meshFor(media: CallMedia): CallMesh {
  mesh = new CallMesh(me, media, { send: async () => {}, iceServers: async () => [], changed: () => {} })
  return mesh
}

const sentTo = (peer: FakePeerConnection) => peer.sent.map(s => ({ kind: s.kind, on: s.enabledWhenAdded }))

describe('call devices', () => {
  beforeEach(() => { devices = installFakeMedia() })
  afterEach(() => {
    mesh.close()
    vi.unstubAllGlobals()
  })

  test('Hanging_up_while_the_camera_opens_turns_camera_and_microphone_off_as_soon_as_they_arrive', async () => {
    const starting = meshFor('video').start()
    mesh.close()
    const tracks = await devices.grant()
    await starting
    expect(tracks.map(t => t.readyState)).toEqual(['ended', 'ended'])
    expect(mesh.devices.local).toBeNull()
    mesh.offerTo(other)
    expect(FakePeerConnection.all).toEqual([])
  })

  test('A_screen_share_that_opens_after_hanging_up_is_stopped_and_never_shared', async () => {
    const starting = meshFor('audio').start()
    await devices.grant()
    await starting
    mesh.offerTo(other)
    const sharing = mesh.devices.shareScreen(true)
    mesh.close()
    const [screen] = await devices.grant()
    await sharing
    expect(screen.readyState).toBe('ended')
    expect(mesh.devices.screen).toBeNull()
    expect(sentTo(FakePeerConnection.all[0])).toEqual([{ kind: 'audio', on: true }])
  })

  test('A_camera_turned_on_just_before_hanging_up_is_stopped_when_it_opens', async () => {
    const starting = meshFor('audio').start()
    await devices.grant()
    await starting
    const turningOn = mesh.devices.setCamera(true)
    mesh.close()
    const [camera] = await devices.grant()
    await expect(turningOn).resolves.toBeUndefined()
    expect(camera.readyState).toBe('ended')
  })

  test('A_refused_camera_falls_back_to_the_microphone_alone', async () => {
    const starting = meshFor('video').start()
    await devices.refuse()
    const [microphone] = await devices.grant()
    await starting
    await settle()
    expect(mesh.devices.cameraOff).toBe(true)
    expect(mesh.devices.local?.getTracks()).toEqual([microphone])
    expect(mesh.notice).toContain('audio only')
  })
})
