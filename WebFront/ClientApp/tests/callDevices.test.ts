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

  test('Muting_while_the_microphone_opens_sends_no_sound_when_it_arrives', async () => {
    const starting = meshFor('audio').start()
    mesh.devices.setMuted(true)
    const [microphone] = await devices.grant()
    await starting
    mesh.offerTo(other)
    expect(mesh.devices.muted).toBe(true)
    expect(microphone.enabled).toBe(false)
    expect(sentTo(FakePeerConnection.all[0])).toEqual([{ kind: 'audio', on: false }])
    mesh.devices.setMuted(false)
    expect(microphone.enabled).toBe(true)
  })

  test('Turning_the_camera_off_while_it_opens_sends_no_video_and_turns_the_camera_off_when_it_arrives', async () => {
    const starting = meshFor('video').start()
    await mesh.devices.setCamera(false)
    expect(mesh.devices.cameraOff).toBe(true)
    const [microphone, camera] = await devices.grant()
    await starting
    mesh.offerTo(other)
    const peer = FakePeerConnection.all[0]
    expect(camera.readyState).toBe('ended')
    expect(microphone.readyState).toBe('live')
    expect(sentTo(peer)).toEqual([{ kind: 'audio', on: true }])
    expect(peer.received).toEqual(['video'])

    // And it can be turned on again: a fresh camera joins the connection.
    const turningOn = mesh.devices.setCamera(true)
    const [again] = await devices.grant()
    await turningOn
    expect(mesh.devices.cameraOff).toBe(false)
    expect(sentTo(peer)).toEqual([{ kind: 'audio', on: true }, { kind: 'video', on: true }])
    expect(again.readyState).toBe('live')
  })

  test('Camera_on_pressed_twice_while_it_opens_opens_one_camera_and_off_meanwhile_stops_it_on_arrival', async () => {
    const starting = meshFor('audio').start()
    await devices.grant()
    await starting
    mesh.offerTo(other)
    const first = mesh.devices.setCamera(true)
    const second = mesh.devices.setCamera(true)
    expect(devices.pending.length).toBe(1)
    const [camera] = await devices.grant()
    await Promise.all([first, second])
    expect(sentTo(FakePeerConnection.all[0])).toEqual([{ kind: 'audio', on: true }, { kind: 'video', on: true }])

    await mesh.devices.setCamera(false)
    expect(camera.readyState).toBe('ended')
    const turningOn = mesh.devices.setCamera(true)
    await mesh.devices.setCamera(false)
    const [late] = await devices.grant()
    await turningOn
    expect(late.readyState).toBe('ended')
    expect(mesh.devices.cameraOff).toBe(true)
  })

  test('Share_screen_pressed_twice_while_it_opens_shares_one_screen_and_stop_meanwhile_stops_it_on_arrival', async () => {
    const starting = meshFor('audio').start()
    await devices.grant()
    await starting
    const first = mesh.devices.shareScreen(true)
    const second = mesh.devices.shareScreen(true)
    expect(devices.pending.length).toBe(1)
    const [screen] = await devices.grant()
    await Promise.all([first, second])
    expect(mesh.devices.screen?.getTracks()).toEqual([screen])

    await mesh.devices.shareScreen(false)
    const sharing = mesh.devices.shareScreen(true)
    await mesh.devices.shareScreen(false)
    const [late] = await devices.grant()
    await sharing
    expect(late.readyState).toBe('ended')
    expect(mesh.devices.screen).toBeNull()
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
