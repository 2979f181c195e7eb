// The support section: the customer's tickets with their messages and a reply form each, and
// the form that opens a new ticket. Each submission of a form has its own idempotency key.
// Resending it after an uncertain outcome therefore never opens a second ticket or adds a
// second reply.

import { ApiError, request } from './api.js';
import { byId, FormErrors } from './dom.js';
import { formatDateTime } from './format.js';
import { createElement } from './render.js';
import { Submission } from './submission.js';

/**
 * @typedef {object} TicketMessage
 * @property {string} id
 * @property {'CUSTOMER' | 'STAFF'} author
 * @property {string} body
 * @property {string} sentAt
 */

/**
 * @typedef {object} Ticket
 * @property {string} id
 * @property {string} subject
 * @property {'OPEN' | 'ANSWERED' | 'CLOSED'} status
 * @property {string} openedAt
 * @property {TicketMessage[]} messages
 */

const STATUS_LABELS = { OPEN: 'Open', ANSWERED: 'Answered', CLOSED: 'Closed' };
const UNKNOWN_OUTCOME = 'We could not confirm that your request was sent. Select Send again: it will not be sent twice.';
const CLOSED_REPLY = 'This ticket was closed, so it takes no more replies. Open a new ticket if you need more help.';
const UNKNOWN_REPLY = 'We could not confirm that your reply was sent. Select Reply again: it will not be sent twice.';

/**
 * Wires the support section of index.html and returns its controls. onError handles the errors
 * that concern the whole page, with a retry action.
 *
 * @param {(error: unknown, retry: () => void) => void} onError
 * @returns {{load: () => Promise<void>, clear: () => void}}
 */
export function createSupportSection(onError) {
  const list = byId('tickets-list', HTMLElement);
  const empty = byId('tickets-empty', HTMLElement);
  const form = byId('ticket-form', HTMLFormElement);
  const subject = byId('ticket-subject', HTMLInputElement);
  const message = byId('ticket-message', HTMLTextAreaElement);
  const submit = byId('ticket-submit', HTMLButtonElement);
  const messages = new FormErrors(byId('ticket-notice', HTMLElement), byId('ticket-alert', HTMLElement), {
    'input.subject': subject,
    'input.message': message,
  });
  const submission = new Submission();
  /** The pending reply of each ticket, kept across renders of the list. @type {Map<string, Submission>} */
  const replies = new Map();
  /** Incremented by clear, so that a response for an earlier session is dropped. */
  let generation = 0;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });

  /** @param {Ticket[]} tickets */
  function render(tickets) {
    list.replaceChildren(...tickets.map((ticket) => renderTicket(ticket, reply)));
    empty.hidden = tickets.length > 0;
  }

  async function load() {
    const started = generation;
    let data;
    try {
      data = await request('Tickets');
    } catch (error) {
      if (started === generation) {
        onError(error, () => void load());
      }
      return;
    }
    if (started === generation) {
      render(data.tickets);
    }
  }

  async function send() {
    const input = { subject: subject.value.trim(), message: message.value.trim() };
    if (input.subject === '') {
      messages.failure('Enter a subject.', 'input.subject');
      return;
    }
    if (input.message === '') {
      messages.failure('Enter your message.', 'input.message');
      return;
    }

    const started = generation;
    const idempotencyKey = submission.keyFor(input);
    messages.clear();
    submit.disabled = true;
    let data;
    try {
      data = await request('OpenTicket', { idempotencyKey, input });
    } catch (error) {
      if (started !== generation) {
        return;
      }
      submit.disabled = false;
      submission.settle(error instanceof ApiError ? error : null);
      if (error instanceof ApiError && error.code === 'BAD_USER_INPUT') {
        messages.failure(error.message, error.field);
      } else if (error instanceof ApiError && error.code === 'OUTCOME_UNKNOWN') {
        messages.failure(UNKNOWN_OUTCOME);
      } else {
        onError(error, () => void send());
      }
      return;
    }
    if (started !== generation) {
      return;
    }
    submit.disabled = false;
    submission.settle();
    form.reset();
    messages.success('Your request was sent. We will answer here.');
    void load();
  }

  /**
   * Sends the reply form of one ticket and reloads the list when it was sent.
   *
   * @param {string} ticketId
   * @param {ReplyForm} replyForm
   */
  async function reply(ticketId, replyForm) {
    const input = { ticketId, message: replyForm.message.value.trim() };
    if (input.message === '') {
      replyForm.alert.textContent = 'Enter your reply.';
      replyForm.alert.hidden = false;
      replyForm.message.focus();
      return;
    }

    let pending = replies.get(ticketId);
    if (pending === undefined) {
      pending = new Submission();
      replies.set(ticketId, pending);
    }
    const started = generation;
    const idempotencyKey = pending.keyFor(input);
    replyForm.alert.hidden = true;
    replyForm.submit.disabled = true;
    try {
      await request('ReplyToTicket', { idempotencyKey, input });
    } catch (error) {
      if (started !== generation) {
        return;
      }
      replyForm.submit.disabled = false;
      pending.settle(error instanceof ApiError ? error : null);
      if (error instanceof ApiError && (error.code === 'BAD_USER_INPUT' || error.code === 'OUTCOME_UNKNOWN')) {
        replyForm.alert.textContent = error.code === 'OUTCOME_UNKNOWN' ? UNKNOWN_REPLY : error.message;
        replyForm.alert.hidden = false;
      } else if (error instanceof ApiError && error.code === 'CONFLICT') {
        // The ticket was closed meanwhile: the list shows it closed, without a reply form.
        replyForm.alert.textContent = CLOSED_REPLY;
        replyForm.alert.hidden = false;
        void load();
      } else {
        onError(error, () => void reply(ticketId, replyForm));
      }
      return;
    }
    if (started !== generation) {
      return;
    }
    pending.settle();
    void load();
  }

  function clear() {
    generation += 1;
    replies.clear();
    list.replaceChildren();
    empty.hidden = true;
    form.reset();
    messages.clear();
    submission.settle();
    submit.disabled = false;
  }

  return { load, clear };
}

/**
 * @typedef {object} ReplyForm
 * @property {HTMLTextAreaElement} message
 * @property {HTMLButtonElement} submit
 * @property {HTMLElement} alert
 */

/**
 * Builds the list entry of one ticket with its messages and, unless the ticket is closed, a
 * reply form whose submission runs onReply.
 *
 * @param {Ticket} ticket
 * @param {(ticketId: string, form: ReplyForm) => void} onReply
 * @returns {HTMLLIElement}
 */
function renderTicket(ticket, onReply) {
  const item = createElement('li', { className: 'ticket', testId: 'ticket' });
  const head = createElement('div', { className: 'ticket__head' });
  head.append(
    createElement('h3', { className: 'ticket__subject', text: ticket.subject }),
    createElement('span', { className: `badge badge--ticket-${ticket.status.toLowerCase()}`, text: STATUS_LABELS[ticket.status] ?? ticket.status }),
  );
  const opened = createElement('p', { className: 'muted', text: `Opened ${formatDateTime(ticket.openedAt)}` });

  const thread = createElement('ol', { className: 'ticket__messages' });
  for (const m of ticket.messages) {
    const entry = createElement('li', { className: `ticket__message ticket__message--${m.author.toLowerCase()}` });
    entry.append(
      createElement('p', { className: 'muted', text: `${m.author === 'STAFF' ? 'Support' : 'You'} · ${formatDateTime(m.sentAt)}` }),
      createElement('p', { className: 'ticket__body', text: m.body }),
    );
    thread.append(entry);
  }
  item.append(head, opened, thread);
  if (ticket.status !== 'CLOSED') {
    item.append(renderReplyForm(ticket, onReply));
  }
  return item;
}

/**
 * @param {Ticket} ticket
 * @param {(ticketId: string, form: ReplyForm) => void} onReply
 * @returns {HTMLFormElement}
 */
function renderReplyForm(ticket, onReply) {
  const form = createElement('form', { className: 'ticket__reply', testId: 'ticket-reply-form' });
  form.noValidate = true;
  const fieldId = `ticket-reply-${ticket.id}`;
  const alertId = `${fieldId}-alert`;

  const label = createElement('label', { text: 'Your reply' });
  label.htmlFor = fieldId;
  const message = createElement('textarea', { testId: 'ticket-reply-message' });
  message.id = fieldId;
  message.rows = 3;
  message.maxLength = 5000;
  message.setAttribute('aria-describedby', alertId);
  const alert = createElement('p', { className: 'form-alert', testId: 'ticket-reply-alert' });
  alert.id = alertId;
  alert.setAttribute('role', 'alert');
  alert.hidden = true;
  const submit = createElement('button', { className: 'button button--quiet', text: 'Reply', testId: 'ticket-reply-submit' });
  submit.type = 'submit';

  const field = createElement('div', { className: 'field' });
  field.append(label, message);
  form.append(field, alert, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onReply(ticket.id, { message, submit, alert });
  });
  return form;
}
