// Sound and vibration for a verdict: staff at a noisy door hear and feel which one it was without looking.
let audio = null;

function context() {
  if (!audio) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    audio = new Context();
  }
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}

/** Call from a user gesture once, so that later beeps may play (autoplay rules). */
export function unlockAudio() {
  context();
}

function beep(ctx, frequency, start, duration, type = "sine") {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = type;
  osc.frequency.value = frequency;
  gain.gain.setValueAtTime(0.0001, ctx.currentTime + start);
  gain.gain.exponentialRampToValueAtTime(0.4, ctx.currentTime + start + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + start + duration);
  osc.connect(gain).connect(ctx.destination);
  osc.start(ctx.currentTime + start);
  osc.stop(ctx.currentTime + start + duration + 0.02);
}

const PATTERNS = {
  ok: {tones: [[1046, 0, 0.12], [1568, 0.12, 0.18]], vibrate: [80]},              // rising double: welcome
  already: {tones: [[660, 0, 0.15], [660, 0.22, 0.15]], vibrate: [60, 80, 60]},   // two equal: look again
  refused: {tones: [[220, 0, 0.45]], type: "square", vibrate: [300, 100, 300]},   // low buzz: stop
};

export function signal(kind) {
  const pattern = PATTERNS[kind] || PATTERNS.refused;
  try {
    const ctx = context();
    if (ctx) for (const [f, s, d] of pattern.tones) beep(ctx, f, s, d, pattern.type);
  } catch {
    // no sound on this device: the colour still says it
  }
  if (navigator.vibrate) navigator.vibrate(pattern.vibrate);
}
