import { onUnmounted, watch, type Ref } from 'vue'

/**
 * A ringtone while `ringing` is true: two short tones every two seconds, made with Web Audio (no
 * sound file to fetch). A browser that blocks sound before the person has touched the page stays
 * silent; the incoming-call sheet still shows.
 */
export function useRingtone(ringing: Ref<boolean>) {
  let audio: AudioContext | null = null
  let timer: number | undefined

  function ring() {
    if (!audio) return
    const at = audio.currentTime
    for (const [offset, frequency] of [[0, 880], [0.25, 660]] as const) {
      const tone = audio.createOscillator()
      const gain = audio.createGain()
      tone.frequency.value = frequency
      gain.gain.setValueAtTime(0.0001, at + offset)
      gain.gain.exponentialRampToValueAtTime(0.2, at + offset + 0.02)
      gain.gain.exponentialRampToValueAtTime(0.0001, at + offset + 0.22)
      tone.connect(gain).connect(audio.destination)
      tone.start(at + offset)
      tone.stop(at + offset + 0.25)
    }
  }

  function start() {
    try {
      audio ??= new AudioContext()
      void audio.resume().catch(() => {})
      ring()
      timer = window.setInterval(ring, 2000)
    } catch {
      // no audio output: the sheet alone tells of the call
    }
  }

  function stop() {
    window.clearInterval(timer)
    timer = undefined
    void audio?.close().catch(() => {})
    audio = null
  }

  watch(ringing, on => (on ? start() : stop()), { immediate: true })
  onUnmounted(stop)
}
