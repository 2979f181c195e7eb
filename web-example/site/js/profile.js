// The profile form: name, phone and postal address. An update names the profile version the
// form was filled from. When the profile changed since (another tab, the staff), the gateway
// returns CONFLICT with the stored profile, and the form shows it instead of overwriting it.

import { ApiError, request } from './api.js';
import { byId, FormErrors } from './dom.js';
import { Submission } from './submission.js';

/**
 * @typedef {object} Profile
 * @property {number} version
 * @property {string} name
 * @property {string} phone
 * @property {{street: string, postalCode: string, city: string, country: string}} address
 */

const UNKNOWN_OUTCOME = 'We could not confirm that your profile was saved. Select Save again: it will not be saved twice.';
const CONFLICT = 'Your profile was changed elsewhere since you opened this page. The form now shows the saved profile: make your change again and save.';

/**
 * Wires the profile form of index.html and returns its controls. onError handles the errors
 * that concern the whole page (an ended session, an unavailable service), with a retry action.
 *
 * @param {(error: unknown, retry: () => void) => void} onError
 * @returns {{load: () => Promise<void>, clear: () => void}}
 */
export function createProfileForm(onError) {
  const form = byId('profile-form', HTMLFormElement);
  const submit = byId('profile-submit', HTMLButtonElement);
  const inputs = {
    name: byId('profile-name', HTMLInputElement),
    phone: byId('profile-phone', HTMLInputElement),
    street: byId('profile-street', HTMLInputElement),
    postalCode: byId('profile-postal-code', HTMLInputElement),
    city: byId('profile-city', HTMLInputElement),
    country: byId('profile-country', HTMLInputElement),
  };
  const messages = new FormErrors(byId('profile-notice', HTMLElement), byId('profile-alert', HTMLElement), {
    'input.name': inputs.name,
    'input.phone': inputs.phone,
    'input.address.street': inputs.street,
    'input.address.postalCode': inputs.postalCode,
    'input.address.city': inputs.city,
    'input.address.country': inputs.country,
  });
  const submission = new Submission();

  /** The version of the profile the form shows, or null before it loaded. @type {number | null} */
  let version = null;
  /** Incremented by clear, so that a response for an earlier session is dropped. */
  let generation = 0;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });

  /** @param {Profile} profile */
  function fill(profile) {
    version = profile.version;
    inputs.name.value = profile.name;
    inputs.phone.value = profile.phone;
    inputs.street.value = profile.address.street;
    inputs.postalCode.value = profile.address.postalCode;
    inputs.city.value = profile.address.city;
    inputs.country.value = profile.address.country;
    submit.disabled = false;
  }

  async function load() {
    const started = generation;
    submit.disabled = true;
    let data;
    try {
      data = await request('Profile');
    } catch (error) {
      if (started === generation) {
        onError(error, () => void load());
      }
      return;
    }
    if (started === generation && data.me !== null) {
      fill(data.me.profile);
    }
  }

  async function save() {
    if (version === null) {
      return;
    }
    const input = {
      version,
      name: inputs.name.value.trim(),
      phone: inputs.phone.value.trim(),
      address: {
        street: inputs.street.value.trim(),
        postalCode: inputs.postalCode.value.trim(),
        city: inputs.city.value.trim(),
        country: inputs.country.value.trim().toUpperCase(),
      },
    };
    if (input.name === '') {
      messages.failure('Enter your name.', 'input.name');
      return;
    }

    const started = generation;
    const idempotencyKey = submission.keyFor(input);
    messages.clear();
    submit.disabled = true;
    let data;
    try {
      data = await request('UpdateProfile', { idempotencyKey, input });
    } catch (error) {
      if (started !== generation) {
        return;
      }
      submit.disabled = false;
      submission.settle(error instanceof ApiError ? error : null);
      showSaveError(error);
      return;
    }
    if (started !== generation) {
      return;
    }
    submission.settle();
    fill(data.updateProfile.profile);
    messages.success('Your profile was saved.');
  }

  /** @param {unknown} error */
  function showSaveError(error) {
    if (!(error instanceof ApiError)) {
      onError(error, () => void save());
      return;
    }
    switch (error.code) {
      case 'BAD_USER_INPUT':
        messages.failure(error.message, error.field);
        return;
      case 'CONFLICT':
        if (typeof error.current === 'object' && error.current !== null) {
          fill(/** @type {Profile} */ (error.current));
        }
        messages.failure(CONFLICT);
        return;
      case 'OUTCOME_UNKNOWN':
        messages.failure(UNKNOWN_OUTCOME);
        return;
      default:
        onError(error, () => void save());
    }
  }

  function clear() {
    generation += 1;
    version = null;
    form.reset();
    messages.clear();
    submission.settle();
    submit.disabled = true;
  }

  return { load, clear };
}
