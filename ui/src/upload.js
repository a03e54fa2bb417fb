// Install media from the browser: the file goes to POST /_upload (TrueNAS's protocol: a `data`
// part naming filesystem.put, then the `file` part) with a single-use token, streamed by the
// browser with upload progress; the daemon writes it beside the target and renames it when whole.

/**
 * Uploads `file` to `path` (inside a storage root). `onProgress(fraction)` follows the bytes sent.
 * Resolves once the daemon's filesystem.put job has the whole file in place.
 */
export async function uploadFile(app, file, path, onProgress = () => {}) {
  const token = await app.rpc.call('auth.generate_token', [300, {}, true, true]);
  const form = new FormData();
  form.append('data', JSON.stringify({ method: 'filesystem.put', params: [path, {}] }));
  form.append('file', file, file.name);
  const jobId = await new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/_upload');
    xhr.setRequestHeader('Authorization', `Token ${token}`);
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable) onProgress(ev.loaded / ev.total);
    };
    xhr.onload = () => {
      if (xhr.status !== 200) return reject(new Error(xhr.responseText || `HTTP ${xhr.status}`));
      try {
        resolve(JSON.parse(xhr.responseText).job_id);
      } catch {
        reject(new Error(`Unexpected answer: ${xhr.responseText}`));
      }
    };
    xhr.onerror = () => reject(new Error('The upload was cut off (connection lost)'));
    xhr.send(form);
  });
  await app.jobs.wait(jobId);
  onProgress(1);
  return path;
}
