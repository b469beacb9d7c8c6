// Sign-in: paste a bearer token (OIDC ID token or projected service-account token); it stays in this tab only.

import { h, replaceChildren } from '../dom.js';

/** Renders the sign-in form into `main`; `onToken(token)` is called with the pasted token. */
export function renderSignIn(main, { message, onToken }) {
  const input = h('input', {
    id: 'token', name: 'token', type: 'password', required: true, autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'token-help',
  });
  const form = h('form', {
    class: 'sign-in panel', 'aria-labelledby': 'sign-in-title',
    onsubmit: (e) => {
      e.preventDefault();
      const token = input.value.trim();
      if (token) onToken(token);
    },
  },
  h('h1', { id: 'sign-in-title' }, 'Sign in to Auditgate'),
  message ? h('p', { class: 'notice error', role: 'alert' }, message) : null,
  h('label', { for: 'token' }, 'Bearer token'),
  input,
  h('p', { id: 'token-help', class: 'muted small' },
    'An ID token from your identity provider or a service-account token with the auditgate audience. '
    + 'It is kept in this browser tab only (sessionStorage) and sent to the query service\'s API, nowhere else.'),
  h('button', { type: 'submit' }, 'Sign in'));
  replaceChildren(main, form);
  input.focus();
}
