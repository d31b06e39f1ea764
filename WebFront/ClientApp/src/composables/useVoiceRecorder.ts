import { onBeforeUnmount, ref } from 'vue'
import { errorText } from '../lib/api'

/** Formats a browser records voice in, best first: WebM/Opus (Chromium, Firefox) or Ogg/Opus. */
const voiceTypes = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm']

/**
 * Voice notes with MediaRecorder: `toggle` starts recording, and again stops it and hands the
 * recording over. Leaving the page while recording stops the microphone and drops the recording.
 */
export function useVoiceRecorder(recorded: (voice: Blob, name: string) => void, failed: (text: string) => void) {
  const recording = ref(false)
  let recorder: MediaRecorder | null = null
  let keep = true

  async function toggle() {
    if (recorder) {
      recorder.stop()
      return
    }
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
      failed('This browser cannot record audio here.')
      return
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true })
      const type = voiceTypes.find(t => MediaRecorder.isTypeSupported(t))
      const r = new MediaRecorder(stream, type ? { mimeType: type } : undefined)
      const chunks: Blob[] = []
      r.ondataavailable = ev => { if (ev.data.size) chunks.push(ev.data) }
      r.onstop = () => {
        recording.value = false
        recorder = null
        stream.getTracks().forEach(t => t.stop())
        const voice = new Blob(chunks, { type: r.mimeType || 'audio/webm' })
        if (keep && voice.size) recorded(voice, voice.type.includes('ogg') ? 'voice-note.ogg' : 'voice-note.webm')
      }
      keep = true
      r.start()
      recorder = r
      recording.value = true
    } catch (e) {
      failed(`Cannot record: ${errorText(e)}`)
    }
  }

  onBeforeUnmount(() => {
    keep = false
    recorder?.stop()
  })

  return { recording, toggle }
}
