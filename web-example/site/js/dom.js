// DOM helpers shared by the page's modules.

/**
 * Returns the element with this id, checked against the expected type.
 *
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{new (): T, prototype: T}} type
 * @returns {T}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) {
    throw new Error(`index.html has no ${type.name} with id ${JSON.stringify(id)}`);
  }
  return element;
}

/**
 * FormErrors shows the messages of one form: a notice for success, an alert for failure, and
 * aria-invalid on the input that the gateway named in extensions.field.
 */
export class FormErrors {
  /**
   * @param {HTMLElement} notice element with role=status for success messages
   * @param {HTMLElement} alert element with role=alert for failure messages
   * @param {Record<string, HTMLInputElement | HTMLTextAreaElement>} inputs inputs by argument path, such as "input.phone"
   */
  constructor(notice, alert, inputs) {
    this.notice = notice;
    this.alert = alert;
    this.inputs = inputs;
  }

  /** @param {string} message */
  success(message) {
    this.clear();
    this.notice.textContent = message;
    this.notice.hidden = false;
  }

  /**
   * Shows message; with field, marks that input as invalid and moves the focus to it.
   *
   * @param {string} message
   * @param {string} [field]
   */
  failure(message, field) {
    this.clear();
    this.alert.textContent = message;
    this.alert.hidden = false;
    const input = field === undefined ? undefined : this.inputs[field];
    if (input !== undefined) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', this.alert.id);
      input.focus();
    }
  }

  clear() {
    this.notice.textContent = '';
    this.notice.hidden = true;
    this.alert.textContent = '';
    this.alert.hidden = true;
    for (const input of Object.values(this.inputs)) {
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  }
}
