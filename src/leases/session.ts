// Who may speak on the lease channel, and when: the session with the peer
// router and the handshake that starts one. Pure: the clock and randomness
// are passed in.
//
// Every datagram carries the sender's boot id (random per start) in `from`
// and the receiver's in `to`. A session is one boot id of the peer; within
// it, a sliding window of sequence numbers refuses repeats. Only a hello can
// start a session, and only a fresh one: it must carry our boot id (so it
// was made after we started) and echo our current or previous challenge (a
// random value we change every hello interval, so it was made in the last
// few seconds). A recorded hello therefore never starts a session again,
// whichever side restarted since, and a session is never evicted by old
// ones: there is one, replaced only by a fresh handshake. A hello that
// cannot start a session gets an answer that echoes its challenge (at most
// one per second per boot id), which is how a restarted peer completes its
// handshake; it changes nothing here.
import type { Frame } from "./wire";
import { BOOT_ID_LEN, CHALLENGE_LEN } from "./wire";
import { equalConstantTime, hex } from "./sha256";

/** Sequence numbers remembered below the highest seen. */
const WINDOW = 64;
/** Boot ids in the middle of a handshake at once. */
const CANDIDATES_KEPT = 4;
/** Boot ids whose session a newer one replaced, refused from then on: a
 * peer never boots with an old id again, and an old boot's hello replayed
 * within our challenge's lifetime (it echoes our current or previous
 * challenge) would otherwise start a session with that dead boot. */
const RETIRED_KEPT = 16;
const ANSWER_EVERY_MS = 1000;

/** What our next hello to `to` says. */
export interface HelloFields {
  to: Uint8Array;
  challenge: Uint8Array;
  echo: Uint8Array | null;
}

export type SessionVerdict =
  | { accepted: true; started: boolean }
  | { accepted: false; reason: "replay" | "no-session"; answer: HelloFields | null };

interface Session {
  id: string;
  bootId: Uint8Array;
  highest: number;
  seen: Set<number>;
  /** The peer's challenge as last heard, to echo. */
  challenge: Uint8Array;
}

interface Candidate {
  bootId: Uint8Array;
  challenge: Uint8Array;
  answeredAt: number | null;
}

export class PeerSession {
  private session: Session | null = null;
  private readonly candidates = new Map<string, Candidate>();
  private readonly retired = new Set<string>();
  private challenge: Uint8Array;
  private previousChallenge: Uint8Array | null = null;
  private readonly me: string;

  constructor(bootId: Uint8Array, private readonly random: (n: number) => Uint8Array) {
    this.me = hex(bootId);
    this.challenge = random(CHALLENGE_LEN);
  }

  /** A new challenge; call once per hello interval. */
  rotate(): void {
    this.previousChallenge = this.challenge;
    this.challenge = this.random(CHALLENGE_LEN);
  }

  /** The peer's boot id in the current session, or null. */
  get peer(): Uint8Array | null {
    return this.session?.bootId ?? null;
  }

  /** Our periodic hello: to the session's peer, else to the newest boot id
   * in a handshake, else to nobody known (zeros). */
  hello(): HelloFields {
    if (this.session) return { to: this.session.bootId, challenge: this.challenge, echo: this.session.challenge };
    let newest: Candidate | undefined;
    for (const c of this.candidates.values()) newest = c;
    if (newest) return { to: newest.bootId, challenge: this.challenge, echo: newest.challenge };
    return { to: new Uint8Array(BOOT_ID_LEN), challenge: this.challenge, echo: null };
  }

  /** Judges an authenticated frame. */
  check(f: Frame, now: number): SessionVerdict {
    const from = hex(f.from);
    const toMe = hex(f.to) === this.me;
    if (from === this.me || this.retired.has(from)) return { accepted: false, reason: "replay", answer: null };
    const s = this.session;
    if (s && s.id === from) {
      if (!toMe || f.seq + WINDOW <= s.highest || s.seen.has(f.seq)) return { accepted: false, reason: "replay", answer: null };
      s.seen.add(f.seq);
      if (f.seq > s.highest) {
        s.highest = f.seq;
        for (const n of s.seen) if (n + WINDOW <= s.highest) s.seen.delete(n);
      }
      if (f.challenge) s.challenge = f.challenge;
      return { accepted: true, started: false };
    }
    if (f.type !== "hello" || !f.challenge) return { accepted: false, reason: "replay", answer: null };
    if (toMe && f.echo && this.isOurChallenge(f.echo)) {
      if (s) this.retire(s.id);
      this.session = { id: from, bootId: f.from, highest: f.seq, seen: new Set([f.seq]), challenge: f.challenge };
      this.candidates.clear();
      return { accepted: true, started: true };
    }
    return { accepted: false, reason: "no-session", answer: this.candidate(from, f, now) };
  }

  private retire(id: string): void {
    this.retired.add(id);
    keepNewest(this.retired, RETIRED_KEPT);
  }

  private isOurChallenge(echo: Uint8Array): boolean {
    return equalConstantTime(echo, this.challenge) || (this.previousChallenge !== null && equalConstantTime(echo, this.previousChallenge));
  }

  /** Records a boot id in a handshake; the answer to send it, if one is due. */
  private candidate(id: string, f: Frame, now: number): HelloFields | null {
    let c = this.candidates.get(id);
    if (c) {
      // Newest last: hello() answers the most recent one.
      this.candidates.delete(id);
      c.challenge = f.challenge ?? c.challenge;
    } else {
      keepNewest(this.candidates, CANDIDATES_KEPT - 1);
      c = { bootId: f.from, challenge: f.challenge ?? new Uint8Array(CHALLENGE_LEN), answeredAt: null };
    }
    this.candidates.set(id, c);
    if (c.answeredAt !== null && now - c.answeredAt < ANSWER_EVERY_MS) return null;
    c.answeredAt = now;
    return { to: c.bootId, challenge: this.challenge, echo: c.challenge };
  }
}

/** Drops the oldest entries of an insertion-ordered collection until at
 * most `kept` are left: both bounds a peer's hellos could otherwise grow. */
function keepNewest(entries: Map<string, unknown> | Set<string>, kept: number): void {
  for (const oldest of entries.keys()) {
    if (entries.size <= kept) return;
    entries.delete(oldest);
  }
}
