/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_ESP_REPLAY_H
#define GW_ESP_REPLAY_H

/*
 * ESP anti-replay window (RFC 4303 3.4.3 and Appendix A) with extended
 * sequence numbers (RFC 4303 2.2.1, Appendix A2), and the sender's
 * sequence counter (RFC 4303 3.3.3).
 *
 * Receive side, in two steps because the check comes before decryption
 * and the window may move only once the ICV has verified:
 *
 *	rc = esp_replay_check(&rt->replay, seq_lo, esn, &seq);  before decrypt
 *	... ICV over the packet (with seq >> 32 as the ESN high bits) ...
 *	rc = esp_replay_advance(&rt->replay, seq);              ICV verified
 *
 * A packet whose ICV fails is dropped without calling esp_replay_advance(),
 * so a forged packet never moves the window.  esp_replay_advance() checks
 * again: two copies of one packet in the same burst both pass the check,
 * and the second is refused when it is advanced.
 *
 * The bitmap is a ring of 64-bit words indexed by (seq / 64), a power of
 * two words long (at least the window), cleared lazily as the top slides
 * (as Linux xfrm and VPP do): no malloc, no syscall, no logging.
 *
 * Thread safety: one writer, the SA's owning worker.  Every call on one
 * window comes from that worker; no atomics, no locks.  Another thread may
 * only read the window while the SA is unpublished (install, retire).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

enum {
	ESP_REPLAY_WIN_MIN = 32,
	ESP_REPLAY_WIN_DEFAULT = 64,
	ESP_REPLAY_WIN_MAX = 4096,
	/* Ring words for the largest window; the bitmap lives in the struct. */
	ESP_REPLAY_RING_WORDS = ESP_REPLAY_WIN_MAX / 64,
};

/*
 * Why a sequence number is refused: name, errno, description.  Functions
 * return ESP_REPLAY_<name> == -errno.
 */
#define ESP_REPLAY_REASONS(X) \
	X(ZERO, EINVAL, "sequence number 0") \
	X(DUP, EEXIST, "duplicate within the window") \
	X(OLD, ERANGE, "left of the window (or, with ESN, before 1 or past 2^64-1)")

enum esp_replay_rc {
	ESP_REPLAY_OK = 0,
#define X(n, e, d) ESP_REPLAY_##n = -(e),
	ESP_REPLAY_REASONS(X)
#undef X
};

struct esp_replay {
	uint64_t top;		/* highest accepted sequence number, 0: none yet */
	uint32_t size;		/* window size W: accepts top - W + 1 .. top */
	uint32_t word_mask;	/* ring words in use - 1 (a power of two - 1) */
	uint64_t ring[ESP_REPLAY_RING_WORDS];	/* bit (s % 64) of word (s / 64) */
};

/*
 * Whether size is a valid window: 32, or a multiple of 64 from 64 to 4096.
 */
bool esp_replay_size_valid(uint32_t size);

/*
 * Empty window of size packets (control plane, before the SA is
 * published).  0, or -EINVAL if !esp_replay_size_valid(size) (w untouched).
 */
int esp_replay_init(struct esp_replay *w, uint32_t size);

/*
 * Would seq_lo (the 32 bits on the wire) be accepted?  With esn, infers
 * the high 32 bits (RFC 4303 A2.2) relative to the window.  Does not
 * change the window.  Returns:
 *   ESP_REPLAY_OK (0)       *seq_full = the 64-bit sequence number (for
 *                           the ICV's ESN high bits and the later advance)
 *   ESP_REPLAY_ZERO (-EINVAL)  the full sequence number is 0
 *   ESP_REPLAY_DUP (-EEXIST)   already accepted, inside the window
 *   ESP_REPLAY_OLD (-ERANGE)   left of the window; with ESN also when the
 *                           inferred number falls before 1 or past 2^64-1
 * *seq_full is written only on success.
 */
int esp_replay_check(const struct esp_replay *w, uint32_t seq_lo, bool esn,
		     uint64_t *seq_full);

/*
 * Record seq_full (from esp_replay_check()) once its ICV verified: slides
 * the window when seq_full is past the top.  Checks again and leaves the
 * window unchanged on refusal.  Returns ESP_REPLAY_OK (0), ESP_REPLAY_ZERO,
 * ESP_REPLAY_DUP or ESP_REPLAY_OLD as esp_replay_check() does.
 */
int esp_replay_advance(struct esp_replay *w, uint64_t seq_full);

/*
 * Sender: the next outbound sequence number.  *last is the SA's counter
 * (the last number sent, 0 before the first packet; one writer, the SA's
 * owning worker).  Returns 0 with *seq = ++*last, or -EOVERFLOW when the
 * counter is exhausted (2^32-1 sent without ESN, 2^64-1 with ESN): the SA
 * must stop and the control plane rekey; *last and *seq are unchanged.
 */
int esp_seq_next(uint64_t *last, bool esn, uint64_t *seq);

/* Description of an esp_replay_* or esp_seq_next() return code. */
const char *esp_replay_strerror(int rc);

#endif /* GW_ESP_REPLAY_H */
