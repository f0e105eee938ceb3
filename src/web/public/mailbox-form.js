/* global document */
// The mailbox form: choosing a preset fills its hosts, ports, security and Sent folder (read-only for
// a provider's fixed preset, which the server ignores anyway); choosing a profile fills its limits.
// A file of its own because the Content-Security-Policy allows no inline scripts.
const form = document.querySelector('[data-mailbox-form]');
if (form) {
  const presets = JSON.parse(form.getAttribute('data-presets'));
  const profiles = JSON.parse(form.getAttribute('data-profiles'));
  const preset = form.querySelector('#preset');
  const profile = form.querySelector('#profile');

  const applyPreset = (fill) => {
    const chosen = presets[preset.value];
    for (const field of form.querySelectorAll('[data-endpoint]')) {
      const path = field.getAttribute('data-endpoint').split('.');
      if (chosen && fill) field.value = String(path.reduce((value, key) => value[key], chosen));
      // Fixed hosts stay visible but cannot be edited; custom and local can.
      const fixed = Boolean(chosen) && !chosen.overridable && field.id !== 'sentFolder';
      if (field.tagName === 'SELECT') field.disabled = fixed;
      else field.readOnly = fixed;
    }
  };
  preset.addEventListener('change', () => applyPreset(true));
  profile.addEventListener('change', () => {
    const limits = profiles[profile.value];
    for (const field of form.querySelectorAll('[data-limit]')) field.value = String(limits[field.getAttribute('data-limit')]);
  });
  applyPreset(false);
}
