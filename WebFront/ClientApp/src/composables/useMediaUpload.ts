import { ref } from 'vue'
import { post } from '../lib/api'
import type { Media } from '../lib/types'

/** Uploads a file or recording to POST /api/v1/media; `uploading` says what is on its way, for a status line. */
export function useMediaUpload() {
  const uploading = ref('')

  async function upload(file: Blob, name: string): Promise<Media> {
    uploading.value = `Uploading ${name}…`
    try {
      const form = new FormData()
      form.append('file', file, name)
      return await post<Media>('/api/v1/media', form)
    } finally {
      uploading.value = ''
    }
  }

  return { uploading, upload }
}
