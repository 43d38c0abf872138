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

  // Check-in needs the server's clock and position rules: never recorded offline, so the button waits for a
  // connection as well as for a good enough position.
  const offline = document.getElementById("attendance-offline");
  let located = false;
  let sending = false;
  const syncButton = () => {
    offline.classList.toggle("d-none", navigator.onLine);
    submit.disabled = sending || !located || !navigator.onLine;
  };
  window.addEventListener("online", syncButton);
  window.addEventListener("offline", syncButton);

  const locate = () => {
    located = false;
    syncButton();
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
        located = true;
        syncButton();
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

  // Sent with fetch, so that a refused check-in leaves the page as it is: the chosen selfie and the position stay,
  // and a WFO check-in refused for the distance offers WFH or DL without taking the photo again.
  const refused = document.getElementById("attendance-refused");
  const refusedMessage = document.getElementById("attendance-refused-message");
  const offer = document.getElementById("mode-offer");
  const mode = field("mode");
  const showRefusal = (message, offerModes) => {
    refusedMessage.textContent = message;
    refused.classList.replace("alert-info", "alert-danger");
    refused.classList.remove("d-none");
    offer.classList.toggle("d-none", !offerModes);
    refused.focus();
  };
  const send = async () => {
    if (sending) return;  // one tap sends once: a second tap while the photo uploads would meet "already checked in"
    if (!navigator.onLine) {
      syncButton();
      return;
    }
    sending = true;
    submit.disabled = true;
    try {
      const response = await fetch(form.action || window.location.href, {
        method: "POST", body: new FormData(form), headers: { "X-Requested-With": "fetch" }, credentials: "same-origin",
      });
      const answer = await response.json();
      if (answer.ok) {
        window.location.assign(answer.redirect);
        return;
      }
      showRefusal(answer.message, answer.offer_modes);
    } catch (error) {
      showRefusal(form.dataset.msgFailed, false);
    }
    sending = false;
    syncButton();
  };
  form.addEventListener("submit", (event) => {
    if (!window.fetch || !window.FormData) return;  // the plain form post still works
    event.preventDefault();
    send();
  });
  form.querySelectorAll(".js-offer-mode").forEach((button) => {
    button.addEventListener("click", () => {
      if (!mode) return;
      mode.value = button.dataset.mode;
      mode.dispatchEvent(new Event("change"));
      if (button.dataset.mode === "DL") {
        const letter = field("assignment_letter");
        offer.classList.add("d-none");
        refusedMessage.textContent = form.dataset.msgLetter;
        refused.classList.replace("alert-danger", "alert-info");
        if (letter) letter.focus();
        return;
      }
      if (form.reportValidity()) send();
    });
  });
})();
