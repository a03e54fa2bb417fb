// Login and the session token. The browser keeps only a token from auth.generate_token in
// sessionStorage (gone when the tab closes); passwords and API keys are never stored.
import { Rpc } from './rpc.js';

const STORAGE_KEY = 'middlewared.session';
const TOKEN_TTL = 600; // idle seconds; refreshed well before it runs out
const REFRESH_MS = 4 * 60 * 1000;

export class Session extends EventTarget {
  constructor() {
    super();
    this.rpc = null;
    this.user = null;
    this.refreshTimer = null;
  }

  get stored() {
    try {
      return JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    } catch {
      return null;
    }
  }

  /** Logs in with {username, password} or {username, apiKey}; returns null or an error text. */
  async login(credentials) {
    const data = credentials.apiKey
      ? { mechanism: 'API_KEY_PLAIN', username: credentials.username, api_key: credentials.apiKey }
      : { mechanism: 'PASSWORD_PLAIN', username: credentials.username, password: credentials.password };
    return this.open(data, credentials.username);
  }

  /** Resumes the tab's session from its stored token; false when there is none or it expired. */
  async resume() {
    const saved = this.stored;
    if (!saved || !saved.token) return false;
    const error = await this.open({ mechanism: 'TOKEN_PLAIN', token: saved.token }, saved.username);
    if (error) sessionStorage.removeItem(STORAGE_KEY);
    return !error;
  }

  async open(loginData, username) {
    const rpc = new Rpc();
    await rpc.connect();
    let answer;
    try {
      answer = await rpc.call('auth.login_ex', [{ ...loginData, login_options: { user_info: true } }]);
    } catch (e) {
      rpc.close();
      return e.message;
    }
    if (!answer || answer.response_type !== 'SUCCESS') {
      rpc.close();
      return loginMessage(answer && answer.response_type);
    }
    this.rpc = rpc;
    this.user = (answer.user_info && answer.user_info.pw_name) || username || '';
    await this.saveToken();
    clearInterval(this.refreshTimer);
    this.refreshTimer = setInterval(() => this.saveToken().catch(() => {}), REFRESH_MS);
    rpc.addEventListener('close', () => this.dispatchEvent(new Event('lost')));
    return null;
  }

  async saveToken() {
    const token = await this.rpc.call('auth.generate_token', [TOKEN_TTL, {}, true, false]);
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token, username: this.user }));
  }

  /** A fresh single-use token for another socket (serial console, display). */
  oneTimeToken() {
    return this.rpc.call('auth.generate_token', [60, {}, true, true]);
  }

  async logout() {
    clearInterval(this.refreshTimer);
    sessionStorage.removeItem(STORAGE_KEY);
    const rpc = this.rpc;
    this.rpc = null;
    if (rpc) {
      await rpc.call('auth.logout').catch(() => {});
      rpc.close();
    }
  }

  drop() {
    clearInterval(this.refreshTimer);
    const rpc = this.rpc;
    this.rpc = null;
    if (rpc) rpc.close();
  }
}

function loginMessage(type) {
  switch (type) {
    case 'AUTH_ERR':
      return 'Wrong username, password or API key.';
    case 'EXPIRED':
      return 'These credentials have expired.';
    case 'DENIED':
      return 'This account may not use the API.';
    case 'OTP_REQUIRED':
      return 'This account needs a one-time password, which this dashboard does not support yet.';
    default:
      return `Login failed (${type || 'no answer'}).`;
  }
}
