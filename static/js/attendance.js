// The attendance page: ask the browser for a position, keep a random id for this browser, preview the selfie.
// The server checks everything again; this only fills the hidden fields and tells the user what is going on.
(() => {
  const form = document.getElementById("attendance-form");
  if (!form) return;
  const status = document.getElementById("geo-status");
  const retry = document.getElementById("geo-retry");
  const submit = document.getElementById("attendance-submit");
  const maxAccuracy = Number(form.dataset.maxAccuracy);
  const field = (name) => form.querySelector(`[name="${name}"]`);
  const say = (message, accuracy) => {
    status.textContent = message.replace("{accuracy}", accuracy === undefined ? "" : Math.round(accuracy));
  };

  // A random id kept by this browser, so the server can notice one phone checking in several people.
  const deviceKey = "kinerja-device-id";
  try {
    let deviceId = window.localStorage.getItem(deviceKey);
    if (!deviceId) {
      const bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      deviceId = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      window.localStorage.setItem(deviceKey, deviceId);
    }
    field("device_id").value = deviceId;
  } catch (error) {
    field("device_id").value = "";  // storage blocked (private mode): check in without a device id
  }

  const locate = () => {
    submit.disabled = true;
    retry.classList.add("d-none");
    if (!window.isSecureContext || !navigator.geolocation) {
      say(form.dataset.msgInsecure);
      return;
    }
    say(form.dataset.msgLocating);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude, longitude, accuracy } = position.coords;
        field("latitude").value = latitude;
        field("longitude").value = longitude;
        field("accuracy").value = accuracy;
        retry.classList.remove("d-none");
        if (accuracy > maxAccuracy) {
          say(form.dataset.msgPoor, accuracy);
          return;
        }
        say(form.dataset.msgFound, accuracy);
        submit.disabled = false;
      },
      (error) => {
        const messages = { 1: form.dataset.msgDenied, 2: form.dataset.msgUnavailable, 3: form.dataset.msgTimeout };
        say(messages[error.code] || form.dataset.msgUnavailable);
        retry.classList.remove("d-none");
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 },
    );
  };
  retry.addEventListener("click", locate);
  locate();

  const selfie = field("selfie");
  const preview = document.getElementById("selfie-preview");
  selfie.addEventListener("change", () => {
    const file = selfie.files && selfie.files[0];
    if (preview.src) URL.revokeObjectURL(preview.src);
    if (!file) {
      preview.classList.add("d-none");
      return;
    }
    preview.src = URL.createObjectURL(file);
    preview.classList.remove("d-none");
  });

  // One tap sends once: a second tap while the photo uploads would only meet "already checked in".
  form.addEventListener("submit", () => {
    window.setTimeout(() => { submit.disabled = true; }, 0);
  });
})();
