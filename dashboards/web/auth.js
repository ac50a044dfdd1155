// Who the page is (docs/api.md, "Remote access"): asks for a bearer token when
// the daemon requires one, keeps it for this browser tab only (sessionStorage,
// never in a URL), sends it on every API request (Authorization header) and to
// the WebSocket as the subprotocol `bearer.TOKEN` beside `holoring.v1`.

const KEY = 'holoring.token';

export const token = () => sessionStorage.getItem(KEY);

/** fetch() of the daemon's API with the token. */
export function api(path, opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(path, { ...opts, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
}

/** Subprotocols of the dashboard's WebSocket. */
export function wsProtocols() {
  const t = token();
  return t ? ['holoring.v1', `bearer.${t}`] : ['holoring.v1'];
}

/** Shows the token dialog and resolves with what the user entered. */
function askToken(dialog, message) {
  const form = dialog.querySelector('form');
  const input = dialog.querySelector('input');
  dialog.querySelector('.why').textContent = message;
  input.value = '';
  dialog.hidden = false;
  input.focus();
  return new Promise((resolve) => {
    form.onsubmit = (e) => {
      e.preventDefault();
      dialog.hidden = true;
      resolve(input.value.trim());
    };
  });
}

/**
 * Resolves with {who, role, authRequired, lock} from /api/whoami, asking for a
 * token (and again, saying why, after a refusal) while the daemon refuses.
 */
export async function identify(dialog) {
  for (;;) {
    const res = await api('api/whoami');
    if (res.ok) return res.json();
    let message = `The daemon answered ${res.status}.`;
    try {
      message = (await res.json()).error?.message ?? message;
    } catch {
      // not JSON
    }
    if (res.status !== 401) throw new Error(message);
    const had = token();
    sessionStorage.removeItem(KEY);
    const entered = await askToken(dialog, had ? `That token was refused: ${message}` : 'This daemon requires a token (ask the operator for a viewer token).');
    if (entered) sessionStorage.setItem(KEY, entered);
  }
}
