import jsQRModule from 'jsqr';

/** jsqr is CommonJS with a default export: whichever way the bundler hands it over. */
const jsQR = ((jsQRModule as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

/**
 * The camera, read by jsQR (the browser's BarcodeDetector is missing in Firefox, Safari and Chromium on Linux):
 * a few frames a second, scaled down, and each code reported once until another has been seen or a few
 * seconds passed (a person holding their phone up is one scan).
 */

const FRAME_INTERVAL_MS = 200;
const MAX_WIDTH = 640;
const SAME_CODE_PAUSE_MS = 4_000;

export class QrScanner {
  private stream: MediaStream | undefined;
  private timer: number | undefined;
  private last: { text: string; at: number } | undefined;
  private readonly canvas = document.createElement('canvas');

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly onCode: (text: string) => void,
  ) {}

  get running(): boolean {
    return this.stream !== undefined;
  }

  async start(): Promise<void> {
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: 'environment' },
      audio: false,
    });
    this.video.srcObject = this.stream;
    this.video.hidden = false;
    await this.video.play();
    this.timer = window.setInterval(() => this.readFrame(), FRAME_INTERVAL_MS);
  }

  stop(): void {
    window.clearInterval(this.timer);
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
    this.video.srcObject = null;
    this.video.hidden = true;
  }

  private readFrame(): void {
    const { videoWidth, videoHeight } = this.video;
    if (!videoWidth || !videoHeight) return;
    const scale = Math.min(1, MAX_WIDTH / videoWidth);
    const width = Math.round(videoWidth * scale);
    const height = Math.round(videoHeight * scale);
    this.canvas.width = width;
    this.canvas.height = height;
    const context = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return;
    context.drawImage(this.video, 0, 0, width, height);
    const found = jsQR(context.getImageData(0, 0, width, height).data, width, height, {
      inversionAttempts: 'dontInvert',
    });
    if (!found?.data) return;
    const now = Date.now();
    if (this.last && this.last.text === found.data && now - this.last.at < SAME_CODE_PAUSE_MS) return;
    this.last = { text: found.data, at: now };
    this.onCode(found.data);
  }
}
