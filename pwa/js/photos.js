// Photos are made small on the device (a 12 MP original is 4-8 MB; 1600 px JPEG is ~300 KB),
// because they wait in IndexedDB all shift and go over a weak shop-floor Wi-Fi.
// The id is the sha256 of the JPEG bytes we upload: the server checks it and never stores twice.

const LONG_EDGE = 1600;
const THUMB_EDGE = 240;

async function decode(file) {
  if (typeof createImageBitmap === "function") {
    try {
      // from-image: phone cameras store rotation in EXIF; apply it before drawing.
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch {
      // some formats only the <img> decoder knows; try that below
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

const sizeOf = (img) => [img.naturalWidth || img.width, img.naturalHeight || img.height];

async function encode(img, edge, quality) {
  const [w0, h0] = sizeOf(img);
  const scale = Math.min(1, edge / Math.max(w0, h0)); // never upscale
  const w = Math.max(1, Math.round(w0 * scale));
  const h = Math.max(1, Math.round(h0 * scale));
  const offscreen = typeof OffscreenCanvas === "function";
  const canvas = offscreen ? new OffscreenCanvas(w, h) : document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; // transparent PNGs would turn black in a JPEG
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(img, 0, 0, w, h);
  if (offscreen) return canvas.convertToBlob({ type: "image/jpeg", quality });
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("JPEG encoding failed"))), "image/jpeg", quality),
  );
}

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A picked or captured file -> {blob (JPEG, long edge <= 1600 px), thumb, sha256}. */
export async function processPhoto(file) {
  const img = await decode(file);
  try {
    const blob = await encode(img, LONG_EDGE, 0.85);
    const thumb = await encode(img, THUMB_EDGE, 0.7);
    return { blob, thumb, sha256: await sha256Hex(blob) };
  } finally {
    if (typeof img.close === "function") img.close();
  }
}
