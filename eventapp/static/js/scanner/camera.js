// The camera and the QR decoder (zxing-wasm, served from our own static files: never a CDN). Frames are
// decoded one after another, each on a canvas scaled down to at most MAX_SIDE pixels.
import {prepareZXingModule, readBarcodes} from "../../vendor/zxing-wasm/es/reader/index.js";

const WASM_URL = new URL("../../vendor/zxing-wasm/reader/zxing_reader.wasm", import.meta.url).href;
const MAX_SIDE = 800;
const READER = {formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1};

let prepared = null;

function decoder() {
  if (!prepared) {
    prepared = prepareZXingModule({
      overrides: {locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM_URL : prefix + path)},
      fireImmediately: true,
    });
  }
  return prepared;
}

export class Camera {
  constructor(video, onCode) {
    this.video = video;
    this.onCode = onCode;  // (text, decodedFrameAt) => void
    this.stream = null;
    this.running = false;
    this.canvas = document.createElement("canvas");
    this.context2d = this.canvas.getContext("2d", {willReadFrequently: true});
  }

  async start() {
    if (this.running) return;
    const ready = decoder();
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      // A preference, never `exact`: laptops and the test's fake camera have no facing mode.
      video: {facingMode: {ideal: "environment"}, width: {ideal: 1280}, height: {ideal: 720}},
    });
    this.video.srcObject = this.stream;
    await this.video.play();
    await ready;
    await readBarcodes(new ImageData(64, 64), READER).catch(() => []);  // warm the decoder: the first scan is not slower
    this.running = true;
    this.loop();
  }

  stop() {
    this.running = false;
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  nextFrame() {
    return new Promise((resolve) => {
      if (this.video.requestVideoFrameCallback) this.video.requestVideoFrameCallback(() => resolve());
      else requestAnimationFrame(() => resolve());
    });
  }

  async loop() {
    while (this.running) {
      await this.nextFrame();
      if (!this.running) break;
      const {videoWidth: w, videoHeight: h} = this.video;
      if (!w || !h) continue;
      const frameAt = performance.now();
      const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
      this.canvas.width = Math.round(w * scale);
      this.canvas.height = Math.round(h * scale);
      this.context2d.drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height);
      const image = this.context2d.getImageData(0, 0, this.canvas.width, this.canvas.height);
      try {
        const [found] = await readBarcodes(image, READER);
        if (found && found.isValid && found.text) this.onCode(found.text, frameAt);
      } catch (error) {
        console.warn("decoder", error);
      }
    }
  }
}
