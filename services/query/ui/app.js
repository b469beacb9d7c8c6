// The analyst UI's entry point: session (token + whoami), client-side routing, error banners.

import { createApiClient } from './api-client.js';
import { h, replaceChildren } from './dom.js';
import { parseRoute } from './router.js';
import { createTokenStore, takeFragmentToken } from './token-store.js';
import { renderAlerts } from './views/alerts.js';
import { renderEventDetail } from './views/event-detail.js';
import { renderOverview } from './views/overview.js';
import { renderSearch } from './views/search.js';
import { renderSignIn } from './views/sign-in.js';
import { renderTimeline } from './views/timeline.js';
import { renderToolCall } from './views/tool-call.js';

const VIEWS = {
  search: renderSearch,
  overview: renderOverview,
  event: renderEventDetail,
  actor: renderTimeline,
  call: renderToolCall,
  alerts: renderAlerts,
  'not-found': async (ctx, main) => {
    ctx.setTitle('Not found');
    replaceChildren(main, h('div', { class: 'empty-state' }, h('h1', null, 'No such page'), h('p', null, h('a', { href: '/ui/search' }, 'Go to search'))));
  },
};

const TITLES = {
  0: 'Cannot reach the query service',
  400: 'Bad request',
  401: 'Sign-in required',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  503: 'Service unavailable',
};

/** The banner text of an API error: a title per status and the service's own message. */
export function describeError(error, roles) {
  const status = error?.status;
  const title = TITLES[status] ?? (status ? `Error ${status}` : 'Error');
  let detail = error?.message ?? String(error);
  if (status === 400 && error.parameter) detail = `Parameter “${error.parameter}”: ${detail}`;
  if (status === 403) detail = `${detail} (your roles: ${(roles ?? []).join(', ') || 'none'})`;
  if (status === 503) detail = `${detail} Nothing was queried; try again shortly.`;
  return { title, detail, code: error?.code };
}

function start() {
  const els = {
    main: document.getElementById('main'),
    banner: document.getElementById('banner'),
    whoami: document.getElementById('whoami'),
    live: document.getElementById('live'),
  };
  const tokens = createTokenStore(window.sessionStorage);
  const fragmentToken = takeFragmentToken(window.location, window.history);
  if (fragmentToken) tokens.set(fragmentToken);
  const api = createApiClient({ getToken: () => tokens.get() });
  const state = { session: undefined, controller: undefined };

  const clearBanner = () => { els.banner.hidden = true; replaceChildren(els.banner); };
  const showBanner = (error) => {
    const { title, detail, code } = describeError(error, state.session?.roles);
    replaceChildren(els.banner,
      h('strong', null, title), ' ', h('span', { class: 'banner-message' }, detail),
      code ? h('span', { class: 'banner-code mono' }, code) : null,
      h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: clearBanner }, '×'));
    els.banner.dataset.status = String(error?.status ?? '');
    els.banner.hidden = false;
  };
  const renderWhoami = () => {
    const s = state.session;
    els.whoami.hidden = !s;
    if (!s) return replaceChildren(els.whoami);
    replaceChildren(els.whoami,
      h('span', { class: 'user', title: 'signed in as' }, s.username),
      (s.roles ?? []).map((role) => h('span', { class: 'role' }, role)),
      h('button', { type: 'button', class: 'secondary small', onclick: signOut }, 'Sign out'));
  };
  const showSignIn = (message) => {
    document.title = 'Sign in · Auditgate';
    renderSignIn(els.main, {
      message,
      onToken: (token) => { tokens.set(token); state.session = undefined; render(); },
    });
  };
  function signOut() {
    state.controller?.abort();
    tokens.clear();
    state.session = undefined;
    renderWhoami();
    clearBanner();
    showSignIn('Signed out.');
  }
  /** Reports an error of the current view: 401 back to sign-in, the rest as a banner; aborted work is ignored. */
  const fail = (error) => {
    if (error?.name === 'AbortError') return undefined;
    if (error?.status === 401) {
      tokens.clear();
      state.session = undefined;
      renderWhoami();
      showBanner(error);
      showSignIn('The query service rejected your token; paste a new one.');
      return undefined;
    }
    showBanner(error);
    return undefined;
  };
  const navigate = (path, { replace = false, silent = false } = {}) => {
    window.history[replace ? 'replaceState' : 'pushState'](null, '', path);
    if (!silent) render();
  };

  async function render() {
    state.controller?.abort();
    const controller = new AbortController();
    state.controller = controller;
    clearBanner();
    const route = parseRoute(window.location.pathname);
    for (const link of document.querySelectorAll('[data-nav]')) {
      if (link.dataset.nav === (['alerts', 'overview'].includes(route.name) ? route.name : 'search')) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    if (!tokens.get()) return showSignIn();
    const ctx = {
      api, navigate, route, param: route.param, query: new URLSearchParams(window.location.search), signal: controller.signal,
      get session() { return state.session; },
      fail: (error) => (controller.signal.aborted ? undefined : fail(error)),
      announce: (message) => { els.live.textContent = message; },
      setTitle: (title) => { document.title = `${title} · Auditgate`; },
    };
    try {
      if (!state.session) {
        state.session = await api.get('/whoami', undefined, controller.signal);
        renderWhoami();
      }
      await VIEWS[route.name](ctx, els.main);
    } catch (error) {
      ctx.fail(error);
    }
    return undefined;
  }

  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const link = e.target.closest('a[href]');
    if (!link || link.target || !(link.getAttribute('href') ?? '').startsWith('/ui')) return;
    e.preventDefault();
    navigate(`${link.pathname}${link.search}`);
  });
  window.addEventListener('popstate', () => render());
  render();
}

start();
