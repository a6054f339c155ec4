/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP anti-replay window and sender sequence counter (RFC 4303 3.3.3,
 * 3.4.3, Appendix A).  Fast-path code: no malloc, syscalls or logging.
 *
 * The bitmap is a ring of R = 64 * (word_mask + 1) bits, R >= W.  Bit
 * (s mod R) stands for the one number s in (top - R, top]: sliding the top
 * from t to t' clears the bits of t+1 .. t' (they stood for numbers now
 * behind the ring), whole words at once, or the whole ring on a jump of R
 * or more.
 */
#include "dataplane/esp_replay.h"

bool esp_replay_size_valid(uint32_t size)
{
	if (size == ESP_REPLAY_WIN_MIN)
		return true;
	return size >= 64 && size <= ESP_REPLAY_WIN_MAX && size % 64 == 0;
}

int esp_replay_init(struct esp_replay *w, uint32_t size)
{
	uint32_t words = 1;

	if (!esp_replay_size_valid(size))
		return -EINVAL;
	while (words * 64 < size)
		words *= 2;
	w->top = 0;
	w->size = size;
	w->word_mask = words - 1;
	for (uint32_t i = 0; i < ESP_REPLAY_RING_WORDS; i++)
		w->ring[i] = 0;
	return 0;
}

static uint64_t *replay_word(struct esp_replay *w, uint64_t s)
{
	return &w->ring[(s >> 6) & w->word_mask];
}

static bool replay_seen(const struct esp_replay *w, uint64_t s)
{
	return (w->ring[(s >> 6) & w->word_mask] >> (s & 63)) & 1;
}

/* Where s stands against the window (s is the full 64-bit number). */
static int replay_judge(const struct esp_replay *w, uint64_t s)
{
	if (s == 0)
		return ESP_REPLAY_ZERO;
	if (s > w->top)
		return ESP_REPLAY_OK;
	if (w->top - s >= w->size)
		return ESP_REPLAY_OLD;
	if (replay_seen(w, s))
		return ESP_REPLAY_DUP;
	return ESP_REPLAY_OK;
}

/*
 * RFC 4303 A2.2: the high 32 bits of seq_lo, from the window's top Th:Tl
 * and bottom B = Tl - W + 1 (mod 2^32).  The result is the one number with
 * these low bits in [top - W + 1, top - W + 1 + 2^32).
 */
static int replay_infer(const struct esp_replay *w, uint32_t seq_lo, uint64_t *s)
{
	uint32_t tl = (uint32_t)w->top;
	uint32_t th = (uint32_t)(w->top >> 32);
	uint32_t bottom = tl - (w->size - 1);

	if (tl >= w->size - 1) {
		/* Case A: the window lies in one 2^32 subspace. */
		if (seq_lo < bottom) {
			if (th == UINT32_MAX)
				return ESP_REPLAY_OLD;	/* past 2^64 - 1 */
			th++;
		}
	} else if (seq_lo >= bottom) {
		/* Case B: the window straddles a 2^32 boundary; seq_lo is
		 * from the subspace before the top's. */
		if (th == 0)
			return ESP_REPLAY_OLD;	/* before 1 */
		th--;
	}
	*s = (uint64_t)th << 32 | seq_lo;
	return ESP_REPLAY_OK;
}

int esp_replay_check(const struct esp_replay *w, uint32_t seq_lo, bool esn,
		     uint64_t *seq_full)
{
	uint64_t s = seq_lo;
	int rc;

	if (esn) {
		rc = replay_infer(w, seq_lo, &s);
		if (rc != ESP_REPLAY_OK)
			return rc;
	}
	rc = replay_judge(w, s);
	if (rc == ESP_REPLAY_OK)
		*seq_full = s;
	return rc;
}

/* Move the top to s > top, clearing the bits of top+1 .. s. */
static void replay_slide(struct esp_replay *w, uint64_t s)
{
	uint64_t n = s - w->top;
	uint64_t from = w->top + 1;

	if (n >= (uint64_t)(w->word_mask + 1) * 64) {
		for (uint32_t i = 0; i <= w->word_mask; i++)
			w->ring[i] = 0;
	} else {
		while (n != 0) {
			unsigned bit = from & 63;
			uint64_t take = 64 - bit < n ? 64 - bit : n;
			uint64_t bits = take == 64 ? UINT64_MAX : ((UINT64_C(1) << take) - 1) << bit;

			*replay_word(w, from) &= ~bits;
			from += take;
			n -= take;
		}
	}
	w->top = s;
}

int esp_replay_advance(struct esp_replay *w, uint64_t seq_full)
{
	int rc = replay_judge(w, seq_full);

	if (rc != ESP_REPLAY_OK)
		return rc;
	if (seq_full > w->top)
		replay_slide(w, seq_full);
	*replay_word(w, seq_full) |= UINT64_C(1) << (seq_full & 63);
	return ESP_REPLAY_OK;
}

int esp_seq_next(uint64_t *last, bool esn, uint64_t *seq)
{
	uint64_t max = esn ? UINT64_MAX : UINT32_MAX;

	if (*last >= max)
		return -EOVERFLOW;
	*seq = ++*last;
	return 0;
}

const char *esp_replay_strerror(int rc)
{
	switch (rc) {
	case ESP_REPLAY_OK:
		return "accepted";
#define X(n, e, d) case ESP_REPLAY_##n: return d;
	ESP_REPLAY_REASONS(X)
#undef X
	case -EOVERFLOW:
		return "sequence number counter exhausted";
	default:
		return "unknown replay result";
	}
}
