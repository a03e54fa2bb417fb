// The login page: username with a password or an API key (auth.login_ex).
import { h } from '../dom.js';

export function loginView(root, session, onSuccess) {
  let useKey = false;
  const username = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true, value: 'root' });
  const secret = h('input', { id: 'login-secret', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const secretLabel = h('label', { for: 'login-secret' }, 'Password');
  const message = h('div', { class: 'error', role: 'alert', id: 'login-error' });
  const submit = h('button', { type: 'submit' }, 'Log in');
  const toggle = h('button', {
    type: 'button', class: 'link', id: 'login-toggle',
    onclick: () => {
      useKey = !useKey;
      secretLabel.textContent = useKey ? 'API key' : 'Password';
      secret.name = useKey ? 'api_key' : 'password';
      secret.autocomplete = useKey ? 'off' : 'current-password';
      toggle.textContent = useKey ? 'Use a password instead' : 'Use an API key instead';
      secret.value = '';
      secret.focus();
    },
  }, 'Use an API key instead');
  const form = h('form', {
    class: 'card login', 'aria-labelledby': 'login-title',
    onsubmit: async (ev) => {
      ev.preventDefault();
      message.textContent = '';
      submit.disabled = true;
      submit.textContent = 'Logging in…';
      try {
        const creds = { username: username.value.trim() };
        if (useKey) creds.apiKey = secret.value.trim();
        else creds.password = secret.value;
        const error = await session.login(creds);
        secret.value = '';
        if (error) {
          message.textContent = error;
          secret.focus();
        } else onSuccess();
      } catch (e) {
        message.textContent = e.message;
      } finally {
        submit.disabled = false;
        submit.textContent = 'Log in';
      }
    },
  },
  h('h1', { id: 'login-title' }, 'middlewared'),
  h('p', { class: 'muted' }, 'Virtual machines'),
  h('div', { class: 'field' }, h('label', { for: 'login-user' }, 'Username'), username),
  h('div', { class: 'field' }, secretLabel, secret),
  message,
  h('div', { class: 'actions' }, submit, toggle));
  root.append(form);
  (username.value ? secret : username).focus();
}
