#!/usr/bin/env node
/**
 * A stand-in for the RAI API, for working on the page without the Python backend and the
 * model: it follows the HTTP contract of shared/ARCHITECTURE.md (in memory, fake answers
 * streamed at ~25 tokens/s, resumable with Last-Event-ID) and serves dist/ at `/`.
 *
 *   node scripts/mock-api.mjs [port]      # prints "READY http://127.0.0.1:<port>"
 *
 * The browser tests can run against it: RAI_E2E_SERVER_CMD="node scripts/mock-api.mjs 0".
 * It is a development aid, not a test of the backend.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const TOKEN_MS = Number(process.env.MOCK_TOKEN_MS ?? 40);
const users = new Map(); // username -> {id, username, password}
const tokens = new Map(); // token -> userId
const sessions = new Map(); // id -> {id, userId, title, created_at, updated_at, messages: []}
const facts = new Map(); // id -> {id, userId, fact, source, source_message_id, session_id, created_at}
const turns = new Map(); // assistant message id -> {events: [], done, listeners:Set, stopped}
const now = () => new Date().toISOString();

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
const ok = (res, body = {}, status = 200) => send(res, status, { status: 'success', ...body });
const fail = (res, status, error) => send(res, status, { status: 'error', error });

async function readJson(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function page(items, url, map = (x) => x) {
  const limit = Math.max(1, Math.min(100, Number(url.searchParams.get('limit') ?? 30)));
  const offset = Number(url.searchParams.get('cursor') ?? 0) || 0;
  const slice = items.slice(offset, offset + limit).map(map);
  return { items: slice, next_cursor: offset + limit < items.length ? String(offset + limit) : null };
}

const publicSession = (s) => ({ id: s.id, title: s.title, created_at: s.created_at, updated_at: s.updated_at, message_count: s.messages.length, active_leaf_id: s.active_leaf_id ?? null });

function replyFor(message) {
  const long = /long|story|essay|detailed/i.test(message);
  const base = `You said: ${message}\n\n`;
  if (long) {
    const para = 'The lighthouse keeper climbed the spiral stairs as the storm gathered over the grey sea. Every step echoed, and the lamp above waited for its evening work. ';
    return base + Array.from({ length: 6 }, (_, i) => `**Part ${i + 1}.** ${para}`).join('\n\n') + '\n\n```python\nprint("the light stays on")\n```';
  }
  return base + 'Here is a short answer with `code` and a list:\n\n- one\n- two';
}

function tokenize(text) {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

// Messages form a tree (parent_id); the session shows the branch ending at active_leaf_id.
const byId = (s, id) => s.messages.find((x) => x.id === id) ?? null;
function activeBranch(s) {
  const out = [];
  for (let cur = byId(s, s.active_leaf_id); cur; cur = byId(s, cur.parent_id)) out.unshift(cur);
  return out;
}
function withTree(s, x) {
  const siblings = s.messages.filter((y) => (y.parent_id ?? null) === (x.parent_id ?? null) && y.role === x.role).map((y) => y.id);
  const tree = { sibling_ids: siblings, sibling_index: siblings.indexOf(x.id) + 1, sibling_count: siblings.length };
  return x.role === 'assistant' ? { ...x, ...tree, can_continue: x.status === 'stopped' || x.status === 'interrupted' } : { ...x, ...tree };
}
/** The newest leaf under a message (where switching to it leads). */
function leafUnder(s, id) {
  let cur = byId(s, id);
  for (;;) {
    const children = s.messages.filter((y) => y.parent_id === cur.id);
    if (children.length === 0) return cur.id;
    cur = children[children.length - 1];
  }
}
const running = (s) => [...turns.values()].some((t) => t.sessionId === s.id && !t.done);

function startTurn(user, session, message, parentId = session.active_leaf_id ?? null) {
  const userMsg = { id: randomUUID(), role: 'user', content: message, status: 'done', created_at: now(), parent_id: parentId };
  session.messages.push(userMsg);
  if (!session.title) session.title = message.slice(0, 40);
  return streamAnswer(user, session, userMsg, { id: randomUUID(), role: 'assistant', content: '', status: 'streaming', created_at: now(), parent_id: userMsg.id }, replyFor(message));
}

/** Streams `text` into `asst` (a new answer, or more of a stopped one). */
function streamAnswer(user, session, userMsg, asst, text) {
  const message = userMsg.content;
  if (!session.messages.includes(asst)) session.messages.push(asst);
  asst.status = 'streaming';
  session.active_leaf_id = asst.id;
  session.updated_at = now();
  const turn = { events: [], done: false, listeners: new Set(), stopped: false, sessionId: session.id, asst };
  turns.set(asst.id, turn);
  const emit = (data) => {
    const event = { id: turn.events.length + 1, data };
    turn.events.push(event);
    for (const l of turn.listeners) l(event);
    if (data.type === 'done' || data.type === 'error') {
      turn.done = true;
      for (const l of turn.listeners) l(null);
    }
  };
  emit({ type: 'session', session_id: session.id, user_message_id: userMsg.id, assistant_message_id: asst.id });
  const web = /search|news|latest/i.test(message);
  const sources = web ? [{ title: 'Example source', url: 'https://example.org/article' }] : [];
  if (web) emit({ type: 'status', message: 'Searching the web…' });
  if (/remember/i.test(message)) {
    const f = { id: randomUUID(), userId: user.id, fact: message.replace(/.*remember( that)?/i, '').trim() || message, source: 'message', source_message_id: userMsg.id, session_id: session.id, created_at: now() };
    facts.set(f.id, f);
    emit({ type: 'action', action: 'remember', input: [f.fact], outcome: 'ok', detail: 'remembered' });
  }
  const pieces = tokenize(text);
  let i = 0;
  const timer = setInterval(() => {
    if (turn.stopped || i >= pieces.length) {
      clearInterval(timer);
      asst.status = turn.stopped ? 'stopped' : 'done';
      emit({ type: 'done', response: asst.content, session_id: session.id, user_message_id: userMsg.id, assistant_message_id: asst.id, usage: { completion_tokens: i }, sources });
      return;
    }
    asst.content += pieces[i];
    emit({ type: 'token', content: pieces[i++] });
  }, TOKEN_MS);
  return asst.id;
}

function streamTurn(req, res, turn, after) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  const write = (event) => res.write(`id: ${event.id}\ndata: ${JSON.stringify(event.data)}\n\n`);
  for (const event of turn.events) if (event.id > after) write(event);
  if (turn.done) return res.end();
  const listener = (event) => (event ? write(event) : res.end());
  turn.listeners.add(listener);
  req.on('close', () => turn.listeners.delete(listener));
}

function serveStatic(req, res, url) {
  let file = path.join(dist, decodeURIComponent(url.pathname));
  if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(dist, 'index.html');
  if (!existsSync(file)) return fail(res, 404, 'dist/ is not built');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  const m = req.method;
  if (!p.startsWith('/api/')) return serveStatic(req, res, url);
  if (p === '/api/health') return ok(res, { status: 'ok', database: 'ok', engine: 'ok' });

  if (p === '/api/auth/register' || p === '/api/auth/login') {
    const body = await readJson(req);
    if (!body || typeof body.username !== 'string' || typeof body.password !== 'string' || !body.username || !body.password) return fail(res, 400, 'username and password are required');
    let user = users.get(body.username);
    if (p.endsWith('register')) {
      if (user) return fail(res, 400, 'Username already taken');
      if (body.password.length < 8) return fail(res, 400, 'Password must be at least 8 characters');
      user = { id: randomUUID(), username: body.username, password: body.password };
      users.set(user.username, user);
    } else if (!user || user.password !== body.password) return fail(res, 401, 'Invalid username or password');
    const token = randomUUID();
    tokens.set(token, user.id);
    return ok(res, { access_token: token, token_type: 'bearer', expires_in: 3600, user: { id: user.id, username: user.username } }, p.endsWith('register') ? 201 : 200);
  }

  const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const userId = tokens.get(token);
  if (!userId) return fail(res, 401, 'Missing or invalid token');
  const user = [...users.values()].find((u) => u.id === userId);
  const mine = (id) => {
    const s = sessions.get(id);
    return s && s.userId === userId ? s : null;
  };

  if (p === '/api/auth/me') return ok(res, { user: { id: user.id, username: user.username } });
  if (p === '/api/auth/logout' && m === 'POST') {
    tokens.delete(token);
    return ok(res, {});
  }
  if (p === '/api/auth/logout-everywhere' && m === 'POST') {
    for (const [t, id] of tokens) if (id === userId) tokens.delete(t);
    return ok(res, {});
  }
  if (p === '/api/capabilities') return ok(res, { max_message_chars: 32000, max_import_bytes: 20971520, web_search: false });
  if (p === '/api/chat/models') return ok(res, { models: [{ id: 'local-small' }, { id: 'local-large' }] });
  if (p === '/api/keys/' && m === 'GET') return ok(res, { keys: [] });
  if (p === '/api/keys/usage') return ok(res, { usage: { requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, by_key: [] });

  if (p === '/api/chat/' && m === 'POST') {
    const body = await readJson(req);
    if (!body || typeof body.message !== 'string' || !body.message.trim()) return fail(res, 400, 'message is required');
    let session = body.session_id ? mine(body.session_id) : null;
    if (body.session_id && !session) return fail(res, 404, 'Session not found');
    if (!session) {
      session = { id: randomUUID(), userId, title: null, created_at: now(), updated_at: now(), messages: [] };
      sessions.set(session.id, session);
    }
    if (running(session)) return fail(res, 409, 'An answer is already being written in this chat.');
    const id = startTurn(user, session, body.message);
    return streamTurn(req, res, turns.get(id), 0);
  }
  // The conversation tree: regenerate an answer, edit a message, continue a stopped answer.
  if ((p === '/api/chat/regenerate' || p === '/api/chat/edit' || p === '/api/chat/continue') && m === 'POST') {
    const body = await readJson(req);
    if (!body || typeof body.message_id !== 'string') return fail(res, 400, 'message_id is required');
    const session = [...sessions.values()].find((x) => x.userId === userId && byId(x, body.message_id));
    const target = session && byId(session, body.message_id);
    if (!target) return fail(res, 404, 'Message not found');
    if (running(session)) return fail(res, 409, 'An answer is already being written in this chat.');
    let id;
    if (p.endsWith('edit')) {
      if (target.role !== 'user') return fail(res, 400, 'message_id: not a user message');
      if (typeof body.message !== 'string' || !body.message.trim()) return fail(res, 400, 'message is required');
      id = startTurn(user, session, body.message.trim(), target.parent_id ?? null);
    } else {
      if (target.role !== 'assistant') return fail(res, 400, 'message_id: not an answer');
      const question = byId(session, target.parent_id);
      if (p.endsWith('regenerate')) {
        const version = session.messages.filter((y) => y.parent_id === question.id).length + 1;
        id = streamAnswer(user, session, question, { id: randomUUID(), role: 'assistant', content: '', status: 'streaming', created_at: now(), parent_id: question.id }, `(version ${version}) ${replyFor(question.content)}`);
      } else {
        if (target.status !== 'stopped' && target.status !== 'interrupted') return fail(res, 400, 'This answer is complete');
        id = streamAnswer(user, session, question, target, ' And so the story goes on, to its end.');
      }
    }
    return streamTurn(req, res, turns.get(id), 0);
  }
  let match = /^\/api\/chat\/stream\/([^/]+)$/.exec(p);
  if (match && m === 'GET') {
    const turn = turns.get(match[1]);
    if (!turn || !mine(turn.sessionId)) return fail(res, 404, 'No such stream');
    return streamTurn(req, res, turn, Number(req.headers['last-event-id'] ?? 0) || 0);
  }
  if (p === '/api/chat/stop' && m === 'POST') {
    const body = await readJson(req);
    let message = null;
    for (const turn of turns.values()) {
      if (turn.sessionId !== body?.session_id || turn.done) continue;
      turn.stopped = true;
      // Saved as it is now (the real API answers with the stored message too).
      turn.asst.status = 'stopped';
      message = { ...turn.asst };
    }
    return ok(res, message ? { message } : {});
  }

  if (p === '/api/session/' && m === 'GET') {
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    const list = [...sessions.values()]
      .filter((s) => s.userId === userId && (!q || (s.title ?? '').toLowerCase().includes(q) || s.messages.some((x) => x.content.toLowerCase().includes(q))))
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    const { items, next_cursor } = page(list, url, publicSession);
    return ok(res, { sessions: items, next_cursor });
  }
  if (p === '/api/session/' && m === 'POST') {
    const body = (await readJson(req)) ?? {};
    const s = { id: randomUUID(), userId, title: body.title ?? null, created_at: now(), updated_at: now(), messages: [] };
    sessions.set(s.id, s);
    return ok(res, { session: publicSession(s) }, 201);
  }
  if (p === '/api/session/import' && m === 'POST') {
    const body = await readJson(req);
    if (!body || !Array.isArray(body.messages)) return fail(res, 400, 'Not a session export');
    let parent = null;
    const messages = body.messages.map((x) => {
      const copy = { ...x, id: randomUUID(), parent_id: parent };
      parent = copy.id;
      return copy;
    });
    const s = { id: randomUUID(), userId, title: body.session?.title ?? body.title ?? 'Imported chat', created_at: now(), updated_at: now(), messages, active_leaf_id: parent };
    sessions.set(s.id, s);
    return ok(res, { session: publicSession(s) }, 201);
  }
  match = /^\/api\/session\/([^/]+)\/(active|fork)$/.exec(p);
  if (match && (m === 'PUT' || m === 'POST')) {
    const s = mine(match[1]);
    const body = await readJson(req);
    const target = s && body && byId(s, body.message_id);
    if (!target) return fail(res, 404, 'Message not found');
    if (running(s)) return fail(res, 409, 'An answer is already being written in this chat.');
    if (match[2] === 'active') {
      s.active_leaf_id = leafUnder(s, target.id);
      return ok(res, { session: publicSession(s) });
    }
    const copy = { id: randomUUID(), userId, title: `${s.title ?? 'Chat'} (fork)`, created_at: now(), updated_at: now(), messages: [] };
    const chain = [];
    for (let cur = target; cur; cur = byId(s, cur.parent_id)) chain.unshift(cur);
    let parent = null;
    for (const x of chain) {
      const c = { ...x, id: randomUUID(), parent_id: parent };
      copy.messages.push(c);
      parent = c.id;
    }
    copy.active_leaf_id = parent;
    sessions.set(copy.id, copy);
    return ok(res, { session: publicSession(copy) }, 201);
  }
  match = /^\/api\/session\/([^/]+)(\/export)?$/.exec(p);
  if (match) {
    const s = mine(match[1]);
    if (!s) return fail(res, 404, 'Session not found');
    if (match[2]) {
      if (url.searchParams.get('format') === 'markdown') {
        res.writeHead(200, { 'Content-Type': 'text/markdown', 'Content-Disposition': `attachment; filename="chat-${s.id}.md"` });
        return res.end(`# ${s.title ?? 'Chat'}\n\n` + activeBranch(s).map((x) => `**${x.role}:** ${x.content}`).join('\n\n'));
      }
      return ok(res, { session: publicSession(s), messages: activeBranch(s) });
    }
    if (m === 'GET') {
      const { items, next_cursor } = page(activeBranch(s).map((x) => withTree(s, x)).reverse(), url);
      return ok(res, { session: publicSession(s), messages: items, next_cursor });
    }
    if (m === 'PATCH') {
      const body = await readJson(req);
      if (!body || typeof body.title !== 'string' || !body.title.trim()) return fail(res, 400, 'title is required');
      s.title = body.title.trim();
      return ok(res, { session: publicSession(s) });
    }
    if (m === 'DELETE') {
      sessions.delete(s.id);
      return ok(res);
    }
  }

  const pub = (f) => ({ id: f.id, fact: f.fact, source: f.source, source_message_id: f.source_message_id, session_id: f.session_id, created_at: f.created_at });
  if (p === '/api/memory/facts' && m === 'GET') return ok(res, { facts: [...facts.values()].filter((f) => f.userId === userId).map(pub) });
  if (p === '/api/memory/facts' && m === 'POST') {
    const body = await readJson(req);
    if (!body || typeof body.fact !== 'string' || !body.fact.trim()) return fail(res, 400, 'fact is required');
    const f = { id: randomUUID(), userId, fact: body.fact.trim(), source: 'manual', source_message_id: null, session_id: null, created_at: now() };
    facts.set(f.id, f);
    return ok(res, { fact: pub(f) }, 201);
  }
  match = /^\/api\/memory\/facts\/([^/]+)$/.exec(p);
  if (match) {
    const f = facts.get(match[1]);
    if (!f || f.userId !== userId) return fail(res, 404, 'Fact not found');
    if (m === 'PATCH') {
      const body = await readJson(req);
      if (!body || typeof body.fact !== 'string' || !body.fact.trim()) return fail(res, 400, 'fact is required');
      f.fact = body.fact.trim();
      return ok(res, { fact: pub(f) });
    }
    if (m === 'DELETE') {
      facts.delete(f.id);
      return ok(res);
    }
  }
  if (p === '/api/memory/search') {
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    const results = [];
    for (const s of sessions.values()) {
      if (s.userId !== userId) continue;
      for (const x of s.messages) if (q && x.content.toLowerCase().includes(q)) results.push({ id: x.id, session_id: s.id, message_ids: [x.id], text: x.content.slice(0, 300), score: 0.5, created_at: x.created_at });
    }
    return ok(res, { results: results.slice(0, Number(url.searchParams.get('k') ?? 10)) });
  }
  if (/^\/api\/memory\/episodic\/[^/]+$/.test(p) && m === 'DELETE') return ok(res);
  if (p === '/api/memory/' && m === 'DELETE') {
    for (const f of [...facts.values()]) if (f.userId === userId) facts.delete(f.id);
    return ok(res);
  }
  return fail(res, 404, 'Not found');
});

server.listen(Number(process.argv[2] ?? 6102), '127.0.0.1', () => {
  console.log(`READY http://127.0.0.1:${server.address().port}`);
});
