// A small ActivityPub peer built on Fedify, driven by
// crates/server/tests/interop.rs over stdin/stdout (one JSON object a line).
//
// It serves one actor, `alice` (a Person with an RSA key pair made at start),
// at http://$PEER_HOST/users/alice with an inbox at /users/alice/inbox and a
// shared inbox at /inbox, and acts on commands:
//
//   {"cmd":"lookup"}                          look the agency up (URL, WebFinger)
//   {"cmd":"follow"}                          send a signed Follow to the agency
//   {"cmd":"lookup_page","url":U}             dereference a Page
//   {"cmd":"outbox"}                          read the agency's outbox
//   {"cmd":"reply","inReplyTo":U,"content":H} send Create(Note) answering U
//   {"cmd":"dm","inReplyTo":U,"content":H}    the same, addressed to the agency
//                                             alone (a direct message)
//   {"cmd":"like","object":U}                 send Like of U
//   {"cmd":"like","object":U,"spec":S}        the same, signed by hand with
//                                             Fedify's signRequest in spec S
//                                             ("draft-cavage-http-signatures-12"
//                                             or "rfc9421"), no double knock
//   {"cmd":"refuse_rfc9421","on":BOOL}        answer 401 to RFC 9421-signed
//                                             inbox POSTs (as a server that
//                                             reads draft-cavage only), and
//                                             report each as "knock_refused"
//   {"cmd":"undo_like"}                       send Undo of the last Like
//   {"cmd":"quit"}
//
// Each command is answered with {"step":CMD,"ok":BOOL,...}; a command that
// sends reports the signature style of each POST Fedify made for it
// ("styles": "rfc9421" or "cavage", in order) and the statuses they got, so
// the double knock shows. Whatever reaches the inbox (only after Fedify
// verified its signature) is reported as {"event":"inbox","type":T,
// "verified":BOOL,"signatureStyle":S,...}, S being the style Deling signed
// that request in. Logs go to stderr only.
//
// Environment: DELING_ACTOR (the agency's actor URL), PEER_PORT (port to
// listen on, on 127.0.0.1), PEER_HOST (public host, e.g. localhost:PORT),
// PEER_LOG (Fedify log level, default "warning").

import {
  Accept,
  Activity,
  Create,
  Endpoints,
  Follow,
  Like,
  Note,
  Organization,
  Page,
  Person,
  PUBLIC_COLLECTION,
  Reject,
  Undo,
  Update,
  createFederation,
  generateCryptoKeyPair,
  isActor,
  lookupWebFinger,
  MemoryKvStore,
  signRequest,
  verifyRequest,
} from "@fedify/fedify";
import { configure, getTextFormatter } from "@logtape/logtape";
import { randomUUID } from "node:crypto";
import dns from "node:dns";
import http from "node:http";
import readline from "node:readline";

const env = (name) => {
  const v = process.env[name];
  if (v == null || v === "") {
    process.stderr.write(`peer: environment variable ${name} is required\n`);
    process.exit(2);
  }
  return v;
};

const DELING_ACTOR = new URL(env("DELING_ACTOR"));
const PORT = Number(env("PEER_PORT"));
const HOST = env("PEER_HOST");
const ORIGIN = `http://${HOST}`;
const LOG_LEVEL = process.env.PEER_LOG || "warning";

// Deling listens on 127.0.0.1 only; do not try ::1 first for "localhost".
dns.setDefaultResultOrder("ipv4first");

// ---- output ---------------------------------------------------------------

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const log = (msg) => process.stderr.write(`peer: ${msg}\n`);

const formatter = getTextFormatter();
await configure({
  sinks: { stderr: (record) => process.stderr.write("peer: " + formatter(record)) },
  loggers: [
    { category: "fedify", sinks: ["stderr"], lowestLevel: LOG_LEVEL },
    // "No supported key found to create a proof" on every send: alice has
    // an RSA key only (HTTP signatures), no Ed25519 key for FEP-8b32 proofs.
    ...(process.env.PEER_LOG
      ? []
      : [{ category: ["fedify", "federation", "outbox"], sinks: ["stderr"], lowestLevel: "error", parentSinks: "override" }]),
    { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "error" },
  ],
});

// ---- outgoing HTTP: remember what every POST got back ---------------------

/** How a request is signed: RFC 9421 sets Signature-Input, draft-cavage not. */
const styleOf = (headers) =>
  headers.has("signature-input") ? "rfc9421" : headers.has("signature") ? "cavage" : "unsigned";

const realFetch = globalThis.fetch;
/** POSTs Fedify made (activity deliveries): url, signature style, status,
 * response body. */
const posts = [];
// The test instance has no TLS, but Fedify always looks `acct:` handles up
// over https (https://HOST/.well-known/webfinger). Stand in for a TLS proxy:
// GETs to https://DELING_HOST/ go to http://DELING_HOST/.
const delingHttps = `https://${DELING_ACTOR.host}/`;
globalThis.fetch = async (input, init) => {
  // Do not build a new Request from `input`: that would consume its body.
  const method = (input instanceof Request ? input.method : init?.method) ?? "GET";
  let url = input instanceof Request ? input.url : String(input);
  const style = styleOf(input instanceof Request ? input.headers : new Headers(init?.headers));
  if (method === "GET" && url.startsWith(delingHttps)) {
    url = `http://${url.slice("https://".length)}`;
    input = input instanceof Request ? new Request(url, input) : url;
  }
  let response;
  try {
    response = await realFetch(input, init);
  } catch (e) {
    log(`${method} ${url} failed: ${e}`);
    if (method === "POST") posts.push({ url, style, status: 0, body: String(e) });
    throw e;
  }
  log(`${method} ${url} (${style}) -> ${response.status}`);
  if (method === "POST") {
    let body = "";
    try {
      body = await response.clone().text();
    } catch (_) {
      // ignore
    }
    posts.push({ url, style, status: response.status, body });
  }
  return response;
};

// ---- the federation -------------------------------------------------------

const aliceKeys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");

const federation = createFederation({
  kv: new MemoryKvStore(),
  allowPrivateAddress: true,
  origin: ORIGIN,
  // Fedify's default, said out loud: sign with RFC 9421 first and fall back
  // to draft-cavage on 400/401, remembering per origin what worked.
  firstKnock: "rfc9421",
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "alice" && identifier !== "bob") return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: identifier === "alice" ? "Alice Interop" : "Bob, where the agency moves",
      // bob names the agency as another name of his, as a Mastodon
      // account does before an account may move to it.
      aliases: identifier === "bob" ? [new URL(DELING_ACTOR)] : [],
      summary: "A Fedify peer in Deling's interoperability test.",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .mapHandle((_ctx, username) => (username === "alice" || username === "bob" ? username : null))
  .setKeyPairsDispatcher((_ctx, identifier) =>
    identifier === "alice" || identifier === "bob" ? [aliceKeys] : [],
  );

/** Signature keys our own check (below) verified, by activity id. */
const verifiedBy = new Map();

const report = async (ctx, activity, extra) => {
  const id = activity.id?.href ?? null;
  const actor = activity.actorId?.href ?? null;
  const key = id == null ? null : verifiedBy.get(id);
  emit({
    event: "inbox",
    type: activity.constructor.name,
    id,
    actor,
    // Fedify only calls listeners once the HTTP signature checked out (or
    // it answers 401); the peer's own verifyRequest confirms it, and that
    // the key belongs to the activity's actor.
    verified: key != null && key.owner === actor,
    keyId: key?.keyId ?? null,
    keyOwner: key?.owner ?? null,
    signatureStyle: key?.style ?? null,
    ...extra,
  });
};

const text = (v) => (v == null ? null : v.toString());

// An Accept or Reject of alice's Follow, with the Follow it embeds. The
// Follow is alice's own, embedded by the agency: Fedify 1.10's getObject()
// drops a cross-origin embedded object and fetches it from its id, which
// this peer does not serve. The test compares what is read here with the
// Follow it sent.
const answerOfFollow = async (ctx, answer) => {
  let objectType = null;
  let objectActor = null;
  let objectObject = null;
  try {
    const object = await answer.getObject({ crossOrigin: "trust" });
    objectType = object?.constructor.name ?? null;
    if (object instanceof Activity) {
      objectActor = object.actorId?.href ?? null;
      objectObject = object.objectId?.href ?? null;
    }
  } catch (e) {
    objectType = `error: ${e}`;
  }
  await report(ctx, answer, {
    objectId: answer.objectId?.href ?? null,
    objectType,
    objectActor,
    objectObject,
  });
};

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, answerOfFollow)
  .on(Reject, answerOfFollow)
  .on(Create, async (ctx, create) => {
    let o = null;
    let error = null;
    try {
      o = await create.getObject();
    } catch (e) {
      error = String(e);
    }
    const url = o?.url instanceof URL ? o.url.href : (o?.url?.href?.href ?? null);
    await report(ctx, create, {
      objectId: create.objectId?.href ?? null,
      objectType: o?.constructor.name ?? null,
      isPage: o instanceof Page,
      name: text(o?.name),
      summary: text(o?.summary),
      content: text(o?.content),
      url,
      attributedTo: o?.attributionId?.href ?? null,
      inReplyTo: o?.replyTargetId?.href ?? null,
      published: o?.published?.toString() ?? null,
      updated: o?.updated?.toString() ?? null,
      // Who it was addressed to, activity and object, to check privacy.
      to: create.toIds.map((u) => u.href),
      cc: create.ccIds.map((u) => u.href),
      objectTo: o?.toIds?.map((u) => u.href) ?? null,
      objectCc: o?.ccIds?.map((u) => u.href) ?? null,
      error,
    });
  })
  .on(Update, async (ctx, update) => {
    let o = null;
    let error = null;
    try {
      o = await update.getObject();
    } catch (e) {
      error = String(e);
    }
    await report(ctx, update, {
      objectId: update.objectId?.href ?? null,
      objectType: o?.constructor.name ?? null,
      summary: text(o?.summary),
      content: text(o?.content),
      published: o?.published?.toString() ?? null,
      updated: o?.updated?.toString() ?? null,
      error,
    });
  })
  .on(Activity, async (ctx, activity) => {
    await report(ctx, activity, { objectId: activity.objectId?.href ?? null });
  })
  .onError((_ctx, error) => {
    log(`inbox listener error: ${error?.stack ?? error}`);
    emit({ event: "inbox_error", error: String(error) });
  });

const ctx = federation.createContext(new URL(ORIGIN), undefined);
const alice = ctx.getActorUri("alice");

// ---- incoming HTTP --------------------------------------------------------

const isInbox = (path) => path === "/inbox" || /^\/users\/[^/]+\/inbox$/.test(path);

/** Set by the refuse_rfc9421 command. */
let refuseRfc9421 = false;

const server = http.createServer(async (req, res) => {
  try {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? HOST}`);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (Array.isArray(v)) for (const x of v) headers.append(k, x);
      else if (v != null) headers.set(k, v);
    }
    const hasBody = !["GET", "HEAD"].includes(req.method ?? "GET");
    const make = () => new Request(url, { method: req.method, headers, body: hasBody ? body : undefined });
    log(`<- ${req.method} ${url.pathname} ${headers.get("content-type") ?? ""}`);
    if (req.method === "POST" && isInbox(url.pathname) && refuseRfc9421 && styleOf(headers) === "rfc9421") {
      let id = null;
      try {
        id = JSON.parse(body.toString("utf8")).id ?? null;
      } catch (_) {
        // not JSON: reported without an id
      }
      emit({ event: "knock_refused", signatureStyle: "rfc9421", id });
      res.writeHead(401, { "content-type": "text/plain" });
      res.end("this peer reads draft-cavage signatures only");
      return;
    }
    if (req.method === "POST" && isInbox(url.pathname)) {
      // An independent check of the HTTP signature, besides Fedify's own.
      try {
        const key = await verifyRequest(make(), {
          documentLoader: ctx.documentLoader,
          contextLoader: ctx.contextLoader,
        });
        const json = JSON.parse(body.toString("utf8"));
        if (key != null && typeof json.id === "string") {
          verifiedBy.set(json.id, {
            keyId: key.id?.href ?? null,
            owner: key.ownerId?.href ?? null,
            style: styleOf(headers),
          });
        } else {
          log(`signature of ${json.id} did not verify; headers: ${JSON.stringify(req.headers)}`);
        }
      } catch (e) {
        log(`signature check failed: ${e?.stack ?? e}`);
      }
    }
    const response = await federation.fetch(make(), {
      contextData: undefined,
      onNotFound: () => new Response("Not found", { status: 404 }),
      onNotAcceptable: () => new Response("Not acceptable", { status: 406 }),
    });
    const out = Buffer.from(await response.arrayBuffer());
    log(`-> ${response.status} for ${req.method} ${url.pathname}${response.status >= 400 ? ": " + out.toString("utf8") : ""}`);
    if (req.method === "POST" && isInbox(url.pathname) && response.status >= 400) {
      emit({
        event: "inbox_refused",
        status: response.status,
        signatureStyle: styleOf(headers),
        body: out.toString("utf8"),
        request: body.toString("utf8"),
      });
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(out);
  } catch (e) {
    log(`request failed: ${e?.stack ?? e}`);
    res.writeHead(500, { "content-type": "text/plain" });
    res.end(String(e));
  }
});

// ---- commands -------------------------------------------------------------

/** The agency as looked up by the `lookup` command. */
let agency = null;
/** The last Like sent. */
let lastLike = null;

const activityId = (kind) => new URL(`/activities/${kind}/${randomUUID()}`, ORIGIN);

/** Sends `activity` to the agency and reports what its inbox answered. */
async function send(activity, preferSharedInbox) {
  if (agency == null) throw new Error("run lookup first");
  const before = posts.length;
  let error = null;
  try {
    await ctx.sendActivity({ identifier: "alice" }, agency, activity, {
      immediate: true,
      preferSharedInbox,
    });
  } catch (e) {
    error = String(e);
  }
  const sent = posts.slice(before);
  const last = sent[sent.length - 1] ?? null;
  return {
    ok: error == null && last != null && last.status >= 200 && last.status < 300,
    id: activity.id.href,
    inbox: last?.url ?? null,
    status: last?.status ?? null,
    responseBody: last?.body ?? null,
    styles: sent.map((p) => p.style),
    statuses: sent.map((p) => p.status),
    error,
  };
}

const commands = {
  async lookup() {
    const problems = [];
    const object = await ctx.lookupObject(DELING_ACTOR);
    if (object == null) {
      return { ok: false, problems: [`lookupObject(${DELING_ACTOR.href}) returned null`] };
    }
    if (!(object instanceof Organization)) problems.push(`not an Organization but ${object.constructor.name}`);
    if (!isActor(object)) problems.push("not an actor");
    if (object.id?.href !== DELING_ACTOR.href) problems.push(`id is ${object.id?.href}`);
    if (object.inboxId == null) problems.push("no inbox");
    if (object.outboxId == null) problems.push("no outbox");
    if (object.followersId == null) problems.push("no followers");
    let key = null;
    try {
      key = await object.getPublicKey();
    } catch (e) {
      problems.push(`publicKey: ${e}`);
    }
    if (key == null) problems.push("no publicKey");
    else {
      if (key.ownerId?.href !== DELING_ACTOR.href) problems.push(`publicKey owner is ${key.ownerId?.href}`);
      if (key.publicKey == null) problems.push("publicKey has no usable publicKeyPem");
    }
    agency = object;

    // WebFinger by actor URL, as getActorHandle() and Mastodon do to find
    // the handle of an actor they met by URL.
    const jrd = await lookupWebFinger(DELING_ACTOR, { allowPrivateAddress: true });
    const expectedSubject = `acct:${object.preferredUsername}@${DELING_ACTOR.host}`;
    const self = jrd?.links?.find((l) => l.rel === "self" && l.type === "application/activity+json");
    if (jrd == null) problems.push("WebFinger lookup by actor URL returned nothing");
    else {
      if (jrd.subject !== expectedSubject) problems.push(`WebFinger subject is ${jrd.subject}, not ${expectedSubject}`);
      if (self?.href !== DELING_ACTOR.href) problems.push(`WebFinger self link is ${self?.href}`);
    }
    // By handle (with the port), as a user types it into the search box.
    const handle = expectedSubject.replace(/^acct:/, "@");
    let byHandle = null;
    try {
      byHandle = await ctx.lookupObject(handle);
    } catch (e) {
      problems.push(`lookupObject(${handle}): ${e}`);
    }
    if (byHandle?.id?.href !== DELING_ACTOR.href) {
      problems.push(`lookupObject(${handle}) found ${byHandle?.id?.href ?? "nothing"}`);
    }
    return {
      ok: problems.length === 0,
      problems,
      type: object.constructor.name,
      id: object.id?.href ?? null,
      preferredUsername: text(object.preferredUsername),
      name: text(object.name),
      inbox: object.inboxId?.href ?? null,
      outbox: object.outboxId?.href ?? null,
      followers: object.followersId?.href ?? null,
      sharedInbox: object.endpoints?.sharedInbox?.href ?? null,
      publicKeyId: key?.id?.href ?? null,
      publicKeyOwner: key?.ownerId?.href ?? null,
      webfingerSubject: jrd?.subject ?? null,
      webfingerSelf: self?.href ?? null,
      handle,
      handleLookup: byHandle?.id?.href ?? null,
    };
  },

  async follow() {
    const follow = new Follow({
      id: activityId("follow"),
      actor: alice,
      object: agency?.id,
      to: agency?.id,
    });
    // To the agency's own inbox.
    return await send(follow, false);
  },

  async lookup_page({ url }) {
    const o = await ctx.lookupObject(url);
    let likes = null;
    try {
      likes = (await o?.getLikes())?.totalItems ?? null;
    } catch (e) {
      likes = `error: ${e}`;
    }
    return {
      ok: o instanceof Page,
      type: o?.constructor.name ?? null,
      id: o?.id?.href ?? null,
      name: text(o?.name),
      summary: text(o?.summary),
      attributedTo: o?.attributionId?.href ?? null,
      likes,
    };
  },

  async outbox() {
    // The agency's outbox, page by page, as a server backfilling a profile.
    if (agency == null) throw new Error("run lookup first");
    const outbox = await agency.getOutbox();
    const items = [];
    for await (const activity of ctx.traverseCollection(outbox)) {
      const object = activity instanceof Activity ? await activity.getObject() : null;
      items.push({
        type: activity.constructor.name,
        id: activity.id?.href ?? null,
        objectType: object?.constructor.name ?? null,
        objectId: object?.id?.href ?? null,
        name: text(object?.name),
      });
    }
    return { ok: true, totalItems: outbox?.totalItems ?? null, items };
  },

  async reply({ inReplyTo, content }) {
    const note = new Note({
      id: new URL(`/notes/${randomUUID()}`, ORIGIN),
      attribution: alice,
      replyTarget: new URL(inReplyTo),
      content,
      to: PUBLIC_COLLECTION,
      cc: agency?.id,
    });
    const create = new Create({
      id: activityId("create"),
      actor: alice,
      object: note,
      to: PUBLIC_COLLECTION,
      cc: agency?.id,
    });
    // Through the shared inbox, as Mastodon prefers.
    const result = await send(create, true);
    return { ...result, noteId: note.id.href };
  },

  async dm({ inReplyTo, content }) {
    const note = new Note({
      id: new URL(`/notes/${randomUUID()}`, ORIGIN),
      attribution: alice,
      replyTarget: new URL(inReplyTo),
      content,
      to: agency?.id,
    });
    const create = new Create({ id: activityId("create"), actor: alice, object: note, to: agency?.id });
    const result = await send(create, true);
    return { ...result, noteId: note.id.href };
  },

  async like({ object, spec }) {
    lastLike = new Like({ id: activityId("like"), actor: alice, object: new URL(object), to: agency?.id });
    if (spec == null) return await send(lastLike, true);
    // Signed once in the given spec, without Fedify's double knock: shows
    // that Deling takes that format from Fedify's own signer.
    const inbox = agency?.endpoints?.sharedInbox ?? agency?.inboxId;
    const body = JSON.stringify(await lastLike.toJsonLd({ contextLoader: ctx.contextLoader }));
    const [pair] = await ctx.getActorKeyPairs("alice");
    const request = await signRequest(
      new Request(inbox, {
        method: "POST",
        headers: { "content-type": "application/activity+json", accept: "application/activity+json" },
        body,
      }),
      aliceKeys.privateKey,
      pair.keyId,
      { spec },
    );
    const response = await fetch(request);
    const responseBody = await response.text();
    return {
      ok: response.status >= 200 && response.status < 300,
      id: lastLike.id.href,
      inbox: inbox?.href ?? null,
      status: response.status,
      responseBody,
      styles: [styleOf(request.headers)],
      statuses: [response.status],
    };
  },

  async refuse_rfc9421({ on }) {
    refuseRfc9421 = on === true;
    return { ok: true, on: refuseRfc9421 };
  },

  async undo_like() {
    if (lastLike == null) return { ok: false, error: "no Like to undo" };
    const undo = new Undo({ id: activityId("undo"), actor: alice, object: lastLike, to: agency?.id });
    return await send(undo, true);
  },

  async quit() {
    setTimeout(() => process.exit(0), 10);
    return { ok: true };
  },
};

const rl = readline.createInterface({ input: process.stdin });
// One command at a time, in order.
let queue = Promise.resolve();
rl.on("line", (line) => {
  if (line.trim() === "") return;
  queue = queue.then(async () => {
    let cmd = null;
    try {
      const msg = JSON.parse(line);
      cmd = msg.cmd;
      const f = commands[cmd];
      if (f == null) throw new Error(`unknown command ${cmd}`);
      emit({ step: cmd, ...(await f(msg)) });
    } catch (e) {
      log(`command ${cmd} failed: ${e?.stack ?? e}`);
      emit({ step: cmd, ok: false, error: String(e?.stack ?? e) });
    }
  });
});
// The test runner went away: so do we.
rl.on("close", () => process.exit(0));

process.on("unhandledRejection", (e) => log(`unhandled rejection: ${e?.stack ?? e}`));

server.listen(PORT, "127.0.0.1", () => {
  emit({ ready: true, actor: alice.href, origin: ORIGIN });
});
